// Baseline: the least a string-based parser does, splitting the header lines into a map. No validation, no typed values.
import type { ParsePeer } from './peer';

export function splitHeaderLines(data: Buffer): Map<string, string> {
  const text = data.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  const lines = (end < 0 ? text : text.slice(0, end)).split('\r\n');
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const earlier = headers.get(name);
    headers.set(name, earlier === undefined ? value : `${earlier}, ${value}`);
  }
  return headers;
}

export const bareSplitPeer: ParsePeer = {
  label: 'baseline: split header lines into a Map',
  notes: [
    'Baseline (written for the benchmark): latin1 decode, split at CRLF up to the blank line, lower-case names, join repeated headers; no folding, compact forms, validation or typed values, so it has no full mode.',
  ],
  parse: splitHeaderLines,
};
