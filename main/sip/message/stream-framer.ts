// RFC 3261 §18.3: on a stream transport a message ends Content-Length bytes after the empty line, and
// Content-Length is mandatory. RFC 5626 §3.5.1: a double CRLF is a keep-alive ping (answered with one CRLF, the
// pong); a lone CRLF between messages is a pong. The framer is sans-IO: bytes in, events out.
import { findHeadEnd } from './parse';
import { headerKey } from './header-names';
import { parseContentLength } from './typed-headers';

export type FramerEvent =
  | { kind: 'message'; bytes: Buffer }
  | { kind: 'ping' }
  | { kind: 'pong' }
  /** The stream cannot be resynchronised: the connection should be closed. */
  | { kind: 'error'; reason: string };

export interface FramerLimits {
  /** Largest start line + headers we buffer before giving up on a peer. */
  readonly maxHeaderBytes: number;
  readonly maxBodyBytes: number;
}

const DEFAULT_LIMITS: FramerLimits = { maxHeaderBytes: 64 * 1024, maxBodyBytes: 1024 * 1024 };

export class StreamFramer {
  #buffer: Buffer = Buffer.alloc(0);
  #failed = false;

  constructor(private readonly limits: FramerLimits = DEFAULT_LIMITS) {}

  push(chunk: Uint8Array): FramerEvent[] {
    if (this.#failed) return [];
    this.#buffer = this.#buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buffer, chunk]);
    const events: FramerEvent[] = [];
    for (;;) {
      const event = this.#next();
      if (!event) break;
      events.push(event);
      if (event.kind === 'error') {
        this.#failed = true;
        this.#buffer = Buffer.alloc(0);
        break;
      }
    }
    return events;
  }

  #next(): FramerEvent | undefined {
    const buf = this.#buffer;
    let start = 0;
    // Leading CRLFs: CRLFCRLF is a ping, a single CRLF a pong; anything else starts a message.
    while (start < buf.length && (buf[start] === 0x0d || buf[start] === 0x0a)) {
      if (
        buf[start] === 0x0d &&
        buf[start + 1] === 0x0a &&
        buf[start + 2] === 0x0d &&
        buf[start + 3] === 0x0a
      ) {
        this.#buffer = buf.subarray(start + 4);
        return { kind: 'ping' };
      }
      if (buf[start] === 0x0d && buf[start + 1] === 0x0a) {
        if (start + 2 >= buf.length) {
          // Could be the first half of a ping: wait for more unless the stream is otherwise idle.
          if (start + 2 === buf.length && buf.length === 2) {
            this.#buffer = buf.subarray(2);
            return { kind: 'pong' };
          }
          return undefined;
        }
        if (buf[start + 2] !== 0x0d && buf[start + 2] !== 0x0a) {
          this.#buffer = buf.subarray(start + 2);
          return { kind: 'pong' };
        }
        start += 2;
        continue;
      }
      start++;
    }
    if (start > 0) this.#buffer = buf.subarray(start);
    const data = this.#buffer;
    if (data.length === 0) return undefined;

    const head = findHeadEnd(data, 0);
    if (!head) {
      if (data.length > this.limits.maxHeaderBytes) return { kind: 'error', reason: 'headers too large' };
      return undefined;
    }
    if (head.headEnd > this.limits.maxHeaderBytes) return { kind: 'error', reason: 'headers too large' };
    const contentLength = findContentLength(data.toString('utf8', 0, head.headEnd));
    if (contentLength === 'missing')
      return { kind: 'error', reason: 'Content-Length is required on a stream' };
    if (contentLength === 'invalid') return { kind: 'error', reason: 'invalid Content-Length' };
    if (contentLength > this.limits.maxBodyBytes) return { kind: 'error', reason: 'body too large' };
    const total = head.bodyStart + contentLength;
    if (data.length < total) return undefined;
    const bytes = Buffer.from(data.subarray(0, total));
    this.#buffer = data.subarray(total);
    return { kind: 'message', bytes };
  }
}

function findContentLength(head: string): number | 'missing' | 'invalid' {
  let found: number | 'missing' | 'invalid' = 'missing';
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || line[0] === ' ' || line[0] === '\t') continue;
    if (headerKey(line.slice(0, colon).trim()) !== 'content-length') continue;
    if (found !== 'missing') return 'invalid';
    found = parseContentLength(line.slice(colon + 1)) ?? 'invalid';
  }
  return found;
}
