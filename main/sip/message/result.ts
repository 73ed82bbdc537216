// Outcomes as data: network input never throws, it yields a Result (the one Result type, from the contract folder,
// which every layer may import).
export { type Result, ok, err } from '../../contract/result';

/** Why a message or header could not be parsed, and what a UAS should answer (RFC 3261 §8.2, §21.4.1). */
export interface ParseError {
  readonly reason: string;
  readonly status: number;
}

export function parseError(reason: string, status = 400): ParseError {
  return { reason, status };
}

/** A short excerpt of untrusted text for an error reason. */
export function preview(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Untrusted text with every control character (C0, DEL) made a space, for a reason phrase or a log line: the
 * Reason-Phrase grammar (RFC 3261 §25.1) admits none, and a NUL or line break must never go back out.
 */
export function printable(text: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      out += `${text.slice(from, i)} `;
      from = i + 1;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

/** A typed header view of a message was read, and the header turned out malformed. A UAS answers 400. */
export class MalformedHeaderError extends Error {
  constructor(
    readonly header: string,
    readonly reason: string,
  ) {
    super(`malformed ${header} header: ${reason}`);
    this.name = 'MalformedHeaderError';
  }
}
