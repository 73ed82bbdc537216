// A single-producer/single-consumer ring of 20 ms PCM frames in a SharedArrayBuffer: the media worker and the thread
// that plays and captures a call's audio exchange frames through memory, each on its own schedule, so a frame costs
// neither side a wake-up (a MessagePort message wakes the receiving thread for every frame).
//
//   header (Int32, Atomics)                         frames (Int16, slots × FRAME_SAMPLES)
//   ┌───────┬──────┬─────────┬───────┬───────┐    ┌─────────┬─────────┬─────────┬── … ──┐
//   │ write │ read │ dropped │ flags │ limit │    │ slot 0  │ slot 1  │ slot 2  │       │   slot = index & (slots − 1)
//   └───────┴──────┴─────────┴───────┴───────┘    └─────────┴─────────┴─────────┴── … ──┘
//
// `write` and `read` count frames since the ring was made (wrapping int32; only their difference matters). The
// producer copies a frame into slot(write), then publishes it by storing write + 1; the consumer copies slot(read)
// out, then frees it by moving read on. At most `limit` frames wait (limit ≤ slots, slots a power of two so the slot
// of an index stays continuous across the int32 wrap).
//
// A full ring drops its oldest frame, counted in `dropped`: stale audio is worth less than fresh. Dropping moves
// `read`, which is the consumer's, so both sides move it by compare-and-swap only. A consumer that loses that race
// was copying a frame the producer has just dropped (and may be overwriting): it throws its copy away and takes the
// next one. The producer never writes a slot the consumer may still be copying without first winning `read` from
// it, so a frame the consumer keeps is whole.
//
// `flags` carries two booleans across: `listening` (the consumer wants the frames; a producer of frames nobody reads
// leaves the ring alone) and `closed` (the call's audio has ended; a consumer polling the ring stops).
import { FRAME_SAMPLES } from '../media-seams';

const WRITE = 0;
const READ = 1;
const DROPPED = 2;
const FLAGS = 3;
const LIMIT = 4;
const HEADER_INTS = 8;
const HEADER_BYTES = HEADER_INTS * Int32Array.BYTES_PER_ELEMENT;
const FRAME_BYTES = FRAME_SAMPLES * Int16Array.BYTES_PER_ELEMENT;

const LISTENING = 1;
const CLOSED = 2;

/** The most slots a ring may have: 256 frames are 5 s of audio, far beyond any use here. */
export const MAX_RING_SLOTS = 256;

export interface FrameRingSize {
  /** Frames that may wait before the oldest is dropped. */
  readonly limit: number;
  /** Room in the buffer; a power of two ≥ limit. Default: the next power of two. */
  readonly slots?: number;
  /** Where the indices start (tests start them near the int32 wrap). Default 0. */
  readonly firstIndex?: number;
}

function isPowerOfTwo(value: number): boolean {
  return Number.isInteger(value) && value > 0 && (value & (value - 1)) === 0;
}

function nextPowerOfTwo(value: number): number {
  let power = 1;
  while (power < value) power *= 2;
  return power;
}

/** The slot count a buffer of `byteLength` holds, or null when it is no ring's size. */
function slotsOf(byteLength: number): number | null {
  const slots = (byteLength - HEADER_BYTES) / FRAME_BYTES;
  return isPowerOfTwo(slots) && slots <= MAX_RING_SLOTS ? slots : null;
}

export class FrameRing {
  /** The shared memory: post it to the other thread, which wraps it with `FrameRing.over`. */
  readonly buffer: SharedArrayBuffer;
  readonly slots: number;
  readonly limit: number;
  readonly #header: Int32Array;
  readonly #frames: Int16Array;
  /** The same frames as bytes, for producers whose samples are not 2-byte aligned. */
  readonly #frameBytes: Uint8Array;
  readonly #mask: number;

  private constructor(buffer: SharedArrayBuffer, slots: number) {
    this.buffer = buffer;
    this.slots = slots;
    this.#header = new Int32Array(buffer, 0, HEADER_INTS);
    this.#frames = new Int16Array(buffer, HEADER_BYTES, slots * FRAME_SAMPLES);
    this.#frameBytes = new Uint8Array(buffer, HEADER_BYTES, slots * FRAME_BYTES);
    this.#mask = slots - 1;
    this.limit = Atomics.load(this.#header, LIMIT);
  }

  /** A new, empty ring in fresh shared memory. */
  static create(size: FrameRingSize): FrameRing {
    const slots = size.slots ?? nextPowerOfTwo(size.limit);
    if (!Number.isInteger(size.limit) || size.limit < 1 || size.limit > slots) {
      throw new RangeError(`a ring's limit must be 1..slots, not ${size.limit}`);
    }
    if (!isPowerOfTwo(slots) || slots > MAX_RING_SLOTS) {
      throw new RangeError(`a ring has a power of two up to ${MAX_RING_SLOTS} slots, not ${slots}`);
    }
    const buffer = new SharedArrayBuffer(HEADER_BYTES + slots * FRAME_BYTES);
    const header = new Int32Array(buffer, 0, HEADER_INTS);
    const first = (size.firstIndex ?? 0) | 0;
    header[WRITE] = first;
    header[READ] = first;
    header[LIMIT] = size.limit;
    return new FrameRing(buffer, slots);
  }

  /** The ring another thread made, or null when `buffer` is not one (wrong type, size or header). */
  static over(buffer: unknown): FrameRing | null {
    if (!(buffer instanceof SharedArrayBuffer)) return null;
    const slots = slotsOf(buffer.byteLength);
    if (slots === null) return null;
    const header = new Int32Array(buffer, 0, HEADER_INTS);
    const limit = Atomics.load(header, LIMIT);
    const waiting = (Atomics.load(header, WRITE) - Atomics.load(header, READ)) | 0;
    if (limit < 1 || limit > slots || waiting < 0 || waiting > limit) return null;
    return new FrameRing(buffer, slots);
  }

  /** Frames waiting to be read. */
  get available(): number {
    return (Atomics.load(this.#header, WRITE) - Atomics.load(this.#header, READ)) | 0;
  }

  /** Frames the producer dropped because the ring was full. */
  get dropped(): number {
    return Atomics.load(this.#header, DROPPED);
  }

  get listening(): boolean {
    return (Atomics.load(this.#header, FLAGS) & LISTENING) !== 0;
  }

  set listening(on: boolean) {
    if (on) Atomics.or(this.#header, FLAGS, LISTENING);
    else Atomics.and(this.#header, FLAGS, ~LISTENING);
  }

  get closed(): boolean {
    return (Atomics.load(this.#header, FLAGS) & CLOSED) !== 0;
  }

  /** Marks the ring's audio as ended; for good. */
  close(): void {
    Atomics.or(this.#header, FLAGS, CLOSED);
  }

  /** Producer: appends one frame (exactly FRAME_SAMPLES samples), dropping the oldest when full; true if it did. */
  write(frame: Int16Array): boolean {
    if (frame.length !== FRAME_SAMPLES) {
      throw new RangeError(`a frame is ${FRAME_SAMPLES} samples, not ${frame.length}`);
    }
    const write = Atomics.load(this.#header, WRITE);
    const dropped = this.#makeRoom(write);
    this.#frames.set(frame, (write & this.#mask) * FRAME_SAMPLES);
    Atomics.store(this.#header, WRITE, (write + 1) | 0);
    return dropped;
  }

  /**
   * Producer: appends one frame given as its FRAME_BYTES bytes of samples in this machine's byte order (little-endian
   * everywhere this runs), at any offset (a received WebSocket frame need not be 2-byte aligned, so no Int16Array
   * view of it may exist): one byte copy into the slot. Drops the oldest when full; true if it did.
   */
  writeBytes(bytes: Uint8Array): boolean {
    if (bytes.byteLength !== FRAME_BYTES) {
      throw new RangeError(`a frame is ${FRAME_BYTES} bytes, not ${bytes.byteLength}`);
    }
    const write = Atomics.load(this.#header, WRITE);
    const dropped = this.#makeRoom(write);
    this.#frameBytes.set(bytes, (write & this.#mask) * FRAME_BYTES);
    Atomics.store(this.#header, WRITE, (write + 1) | 0);
    return dropped;
  }

  /** Frees the oldest frame when `limit` wait, so slot(write) is the producer's; true if a frame was dropped. */
  #makeRoom(write: number): boolean {
    const header = this.#header;
    let read = Atomics.load(header, READ);
    while (((write - read) | 0) >= this.limit) {
      const seen = Atomics.compareExchange(header, READ, read, (read + 1) | 0);
      if (seen === read) {
        Atomics.add(header, DROPPED, 1);
        return true;
      }
      // The consumer took a frame meanwhile: look again.
      read = seen;
    }
    return false;
  }

  /** Consumer: copies the oldest frame into `into` (FRAME_SAMPLES samples) and frees it; false when empty. */
  read(into: Int16Array): boolean {
    if (into.length !== FRAME_SAMPLES) {
      throw new RangeError(`a frame is ${FRAME_SAMPLES} samples, not ${into.length}`);
    }
    const header = this.#header;
    for (;;) {
      const read = Atomics.load(header, READ);
      if (((Atomics.load(header, WRITE) - read) | 0) <= 0) return false;
      const start = (read & this.#mask) * FRAME_SAMPLES;
      into.set(this.#frames.subarray(start, start + FRAME_SAMPLES));
      // Lost to the producer dropping this very frame: the copy may be torn, so take the next one instead.
      if (Atomics.compareExchange(header, READ, read, (read + 1) | 0) === read) return true;
    }
  }

  /** Consumer: frees the oldest frame unread; false when empty. */
  skip(): boolean {
    const header = this.#header;
    for (;;) {
      const read = Atomics.load(header, READ);
      if (((Atomics.load(header, WRITE) - read) | 0) <= 0) return false;
      if (Atomics.compareExchange(header, READ, read, (read + 1) | 0) === read) return true;
    }
  }

  /** Consumer: frees every waiting frame unread; answers how many. */
  skipAll(): number {
    let skipped = 0;
    while (this.skip()) skipped++;
    return skipped;
  }
}
