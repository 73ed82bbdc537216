// SIP INFO DTMF: the `application/dtmf-relay` body (`Signal=5` and `Duration=160` lines, the de facto format of
// Cisco and most PBXs; RFC 6086 §9 leaves legacy INFO usages as they are) and the bare `application/dtmf` body
// (one digit). Parsing never throws; anything that is not one digit with a sane duration is refused.
import type { DtmfDigit } from '../../media/media-seams';

export const DTMF_RELAY_TYPE = 'application/dtmf-relay';
export const DTMF_TYPE = 'application/dtmf';

/** The longest body we read: a real one is about 25 bytes. */
const MAX_BODY = 256;
/** Duration when the body gives none, and the bounds we accept (RFC 4733 §2.5.1.3 events last at least 40 ms). */
const DEFAULT_DURATION_MS = 160;
const MAX_DURATION_MS = 10_000;
const DIGIT = /^[0-9*#A-D]$/;

export function isDtmfDigit(digit: string): boolean {
  return DIGIT.test(digit);
}

/** The digit an INFO body carries, or undefined for a body that is not one. */
export function parseDtmfInfo(contentType: string, body: string): DtmfDigit | undefined {
  if (body.length > MAX_BODY) return undefined;
  if (contentType === DTMF_TYPE) {
    const digit = body.trim().toUpperCase();
    return isDtmfDigit(digit) ? { digit, durationMs: DEFAULT_DURATION_MS } : undefined;
  }
  if (contentType !== DTMF_RELAY_TYPE) return undefined;
  let digit: string | undefined;
  let durationMs = DEFAULT_DURATION_MS;
  for (const line of body.split(/\r?\n/)) {
    const match = /^\s*([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (!match) continue;
    const name = match[1]!.toLowerCase();
    const value = match[2]!;
    if (name === 'signal') digit = value.toUpperCase();
    else if (name === 'duration' && /^\d{1,6}$/.test(value)) durationMs = Number(value);
  }
  if (digit === undefined || !isDtmfDigit(digit)) return undefined;
  if (durationMs <= 0 || durationMs > MAX_DURATION_MS) return undefined;
  return { digit, durationMs };
}

export function formatDtmfRelay(digit: DtmfDigit): string {
  return `Signal=${digit.digit}\r\nDuration=${Math.round(digit.durationMs)}\r\n`;
}
