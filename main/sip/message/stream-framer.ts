// RFC 3261 §18.3: on a stream transport a message ends Content-Length bytes after the empty line, and
// Content-Length is mandatory. RFC 5626 §3.5.1: a double CRLF is a keep-alive ping (answered with one CRLF, the
// pong); a lone CRLF between messages is a pong. The framer is sans-IO: bytes in, events out.
import { findHeadEnd } from './parse';
import { headerKey } from './header-names';
import { MESSAGE_LIMITS, type MessageLimits } from './limits';
import { parseContentLength } from './typed-headers';

export type FramerEvent =
  | { kind: 'message'; bytes: Buffer }
  | { kind: 'ping' }
  | { kind: 'pong' }
  /** The stream cannot be resynchronised: the connection should be closed. */
  | { kind: 'error'; reason: string };

/** Largest start line + headers, and largest body, we buffer before giving up on a peer. */
export type FramerLimits = Pick<MessageLimits, 'maxHeaderBytes' | 'maxBodyBytes'>;

const CR = 0x0d;
const LF = 0x0a;
const EMPTY = Buffer.alloc(0);

/**
 * What one look at the buffer found: an event and where the next unit starts, or how much data is missing
 * (`head` when the empty line ending the headers has not arrived yet).
 */
type Step = { event: FramerEvent; next: number } | { need: number; scanFrom: number; head?: true };

export class StreamFramer {
  // Chunks are kept apart until enough bytes are in for another look, so a large body arriving in many small
  // chunks is copied once rather than once per chunk.
  #chunks: Buffer[] = [];
  #length = 0;
  /** Buffered byte count at which another look is worth it. */
  #need = 1;
  /** Where the search for the end of the headers resumes, so a slowly arriving head is not scanned again. */
  #scanFrom = 0;
  /** Waiting for the end of a head: new chunks are probed on their own (with the last bytes before them). */
  #awaitingHead = false;
  #tail: Buffer = EMPTY;
  #failed = false;

  constructor(private readonly limits: FramerLimits = MESSAGE_LIMITS) {}

  push(chunk: Uint8Array): FramerEvent[] {
    if (this.#failed || chunk.length === 0) return [];
    // A copy: the caller may reuse its buffer once push returns.
    const copy = Buffer.from(chunk);
    this.#chunks.push(copy);
    this.#length += copy.length;
    if (this.#awaitingHead) {
      // The empty line can only complete inside the new bytes or straddle their start: a trickled head costs
      // one small probe per chunk instead of a copy of everything buffered so far.
      const probe = Buffer.concat([this.#tail, copy]);
      if (!findHeadEnd(probe, 0)) {
        this.#tail = probe.subarray(probe.length > 3 ? probe.length - 3 : 0);
        if (this.#length <= this.limits.maxHeaderBytes) return [];
        this.#fail();
        return [{ kind: 'error', reason: 'headers too large' }];
      }
    } else if (this.#length < this.#need) return [];
    const buf = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#length);
    const events: FramerEvent[] = [];
    let pos = 0;
    let need = 1;
    let scanFrom = 0;
    let awaitingHead = false;
    while (pos < buf.length) {
      const step = this.#step(buf, pos, this.#scanFrom > pos ? this.#scanFrom : pos);
      this.#scanFrom = 0;
      if ('need' in step) {
        need = step.need - pos;
        scanFrom = step.scanFrom - pos;
        awaitingHead = step.head === true;
        break;
      }
      events.push(step.event);
      if (step.event.kind === 'error') {
        this.#fail();
        return events;
      }
      pos = step.next;
    }
    const rest = pos === 0 ? buf : buf.subarray(pos);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#length = rest.length;
    this.#need = rest.length > 0 ? need : 1;
    this.#scanFrom = rest.length > 0 ? scanFrom : 0;
    this.#awaitingHead = rest.length > 0 && awaitingHead;
    this.#tail = this.#awaitingHead ? rest.subarray(rest.length > 3 ? rest.length - 3 : 0) : EMPTY;
    return events;
  }

  #fail(): void {
    this.#failed = true;
    this.#chunks = [];
    this.#length = 0;
    this.#awaitingHead = false;
    this.#tail = EMPTY;
  }

  #step(buf: Buffer, start: number, scanFrom: number): Step {
    const end = buf.length;
    let p = start;
    // Bytes between messages: CRLFCRLF is a ping, a lone CRLF a pong, stray CR or LF bytes are skipped.
    while (p < end && (buf[p] === CR || buf[p] === LF)) {
      if (buf[p] === CR) {
        if (p + 1 >= end) return { need: end + 1, scanFrom: p };
        if (buf[p + 1] === LF) {
          if (p + 2 < end && buf[p + 2] === CR) {
            // Perhaps the first half of a ping: wait for its last byte rather than guess.
            if (p + 3 >= end) return { need: end + 1, scanFrom: p };
            if (buf[p + 3] === LF) return { event: { kind: 'ping' }, next: p + 4 };
          }
          // Nothing after the CRLF yet (a pong must not wait for traffic that may never come), or something else.
          return { event: { kind: 'pong' }, next: p + 2 };
        }
      }
      p++;
    }
    if (p >= end) return { need: end + 1, scanFrom: end };

    const head = findHeadEnd(buf, scanFrom > p ? scanFrom : p);
    if (!head) {
      if (end - p > this.limits.maxHeaderBytes) return failure('headers too large');
      // The last two bytes may be the start of the empty line.
      return { need: end + 1, scanFrom: end - 2 > p ? end - 2 : p, head: true };
    }
    if (head.headEnd - p > this.limits.maxHeaderBytes) return failure('headers too large');
    const contentLength = findContentLength(buf.toString('utf8', p, head.headEnd));
    if (contentLength === 'missing') return failure('Content-Length is required on a stream');
    if (contentLength === 'invalid') return failure('invalid Content-Length');
    if (contentLength > this.limits.maxBodyBytes) return failure('body too large');
    const total = head.bodyStart + contentLength;
    if (end < total) return { need: total, scanFrom: p };
    return { event: { kind: 'message', bytes: Buffer.from(buf.subarray(p, total)) }, next: total };
  }
}

function failure(reason: string): Step {
  return { event: { kind: 'error', reason }, next: 0 };
}

/**
 * The Content-Length of a head (start line and header lines), reading folded lines as parseMessage does, so both
 * agree on where the message ends. Two Content-Length headers make the framing ambiguous (RFC 4475 §3.3.9).
 */
function findContentLength(head: string): number | 'missing' | 'invalid' {
  let found: number | 'missing' | 'invalid' = 'missing';
  let pending: string | undefined;
  let pos = head.indexOf('\n') + 1;
  // The next ':' at or after pos, found again only once passed, so lines without one cost no rescans.
  let colon = -1;
  while (pos > 0 && pos < head.length) {
    let lineEnd = head.indexOf('\n', pos);
    if (lineEnd < 0) lineEnd = head.length;
    const end = lineEnd > pos && head.charCodeAt(lineEnd - 1) === CR ? lineEnd - 1 : lineEnd;
    const first = head.charCodeAt(pos);
    if (first === 0x20 || first === 0x09) {
      if (pending !== undefined) pending += ` ${head.slice(pos, end).trim()}`;
    } else {
      if (pending !== undefined) {
        if (found !== 'missing') return 'invalid';
        found = parseContentLength(pending) ?? 'invalid';
        pending = undefined;
      }
      if (colon < pos) {
        colon = head.indexOf(':', pos);
        if (colon < 0) colon = head.length;
      }
      if (colon < end && headerKey(head.slice(pos, colon).trim()) === 'content-length')
        pending = head.slice(colon + 1, end);
    }
    pos = lineEnd + 1;
  }
  if (pending !== undefined) {
    if (found !== 'missing') return 'invalid';
    found = parseContentLength(pending) ?? 'invalid';
  }
  return found;
}
