// Loads bench/corpus/*.sip as wire images and refuses files a tool has damaged (LF endings, stale Content-Length).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CorpusMessage {
  readonly name: string;
  readonly bytes: Buffer;
}

export const corpusDir = join(import.meta.dirname, 'corpus');

function check(name: string, bytes: Buffer): void {
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) {
    if (i === 0 || bytes[i - 1] !== 0x0d)
      throw new Error(`${name}: bare LF at byte ${i}; lines must end in CRLF`);
  }
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`${name}: no blank line after the headers`);
  const declared = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)[ \t]*$/im.exec(text.slice(0, end));
  if (declared === null) throw new Error(`${name}: no Content-Length header`);
  const bodyBytes = bytes.length - (end + 4);
  if (Number(declared[1]) !== bodyBytes) {
    throw new Error(`${name}: Content-Length ${declared[1]} but the body has ${bodyBytes} bytes`);
  }
}

export function loadCorpus(dir: string = corpusDir): CorpusMessage[] {
  const names = readdirSync(dir)
    .filter((name) => name.endsWith('.sip'))
    .sort();
  if (names.length === 0) throw new Error(`no .sip files in ${dir}`);
  return names.map((name) => {
    const bytes = readFileSync(join(dir, name));
    check(name, bytes);
    return { name, bytes };
  });
}
