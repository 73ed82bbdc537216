// What an Opus packet's first bytes say, read without decoding it: the TOC byte (RFC 6716 §3.1) and, for SILK and
// hybrid packets, whether the first frame carries LBRR data, the in-band FEC copy of the previous frame
// (RFC 6716 §4.2.3–§4.2.4). libopus's decode_fec falls back to plain concealment when there is none, so a receiver
// that wants to count "recovered" honestly must look first.

export type OpusMode = 'silk' | 'hybrid' | 'celt';

export interface OpusToc {
  readonly mode: OpusMode;
  /** Duration of each frame, in 48 kHz samples (120 = 2.5 ms … 2880 = 60 ms). */
  readonly frameSamples: number;
  readonly stereo: boolean;
  /** The frame-count code c (RFC 6716 §3.2): 0 one frame, 1 two equal, 2 two different, 3 arbitrary. */
  readonly code: 0 | 1 | 2 | 3;
}

/** RFC 6716 Table 2: configurations 0–11 SILK, 12–15 hybrid, 16–31 CELT, each with its frame sizes. */
const SILK_FRAME_SAMPLES = [480, 960, 1920, 2880];
const HYBRID_FRAME_SAMPLES = [480, 960];
const CELT_FRAME_SAMPLES = [120, 240, 480, 960];

export function parseOpusToc(packet: Uint8Array): OpusToc | null {
  const toc = packet[0];
  if (toc === undefined) return null;
  const config = toc >> 3;
  const stereo = (toc & 0x04) !== 0;
  const code = (toc & 0x03) as 0 | 1 | 2 | 3;
  if (config < 12) return { mode: 'silk', frameSamples: SILK_FRAME_SAMPLES[config % 4]!, stereo, code };
  if (config < 16) return { mode: 'hybrid', frameSamples: HYBRID_FRAME_SAMPLES[config % 2]!, stereo, code };
  return { mode: 'celt', frameSamples: CELT_FRAME_SAMPLES[config % 4]!, stereo, code };
}

/** Where the first frame's bytes start (RFC 6716 §3.2.2–§3.2.5), or null for a packet too short to say. */
function firstFrameOffset(packet: Uint8Array, code: 0 | 1 | 2 | 3): number | null {
  if (code === 0 || code === 1) return 1;
  if (code === 2) {
    // One or two bytes give the first frame's length (§3.2.1): a first byte of 252..255 takes a second.
    const first = packet[1];
    if (first === undefined) return null;
    return first < 252 ? 2 : 3;
  }
  const countByte = packet[1];
  if (countByte === undefined) return null;
  const variable = (countByte & 0x80) !== 0;
  const padded = (countByte & 0x40) !== 0;
  const frames = countByte & 0x3f;
  if (frames === 0) return null;
  let offset = 2;
  if (padded) {
    // Padding length bytes: each 255 adds 254 and asks for one more byte (§3.2.5).
    for (;;) {
      const value = packet[offset++];
      if (value === undefined) return null;
      if (value !== 255) break;
    }
  }
  if (variable) {
    for (let frame = 0; frame < frames - 1; frame++) {
      const length = packet[offset];
      if (length === undefined) return null;
      offset += length < 252 ? 1 : 2;
    }
  }
  return offset;
}

/**
 * The first bits of the range decoder of RFC 6716 §4.1, enough to read the SILK header flags, which are coded
 * first and each with probability 1/2 (§4.2.3). Values fit in 31 bits, so plain arithmetic on doubles is exact.
 */
class RangeDecoderStart {
  private range = 128;
  private value: number;
  private remainder: number;
  private offset: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
  ) {
    this.offset = start;
    this.remainder = this.next();
    this.value = 127 - (this.remainder >> 1);
    this.normalise();
  }

  /** One symbol with probability ½ of being 1 (ec_dec_bit_logp with logp = 1, §4.1.3.2). */
  bit(): boolean {
    const split = Math.floor(this.range / 2);
    const one = this.value < split;
    if (one) this.range = split;
    else {
      this.value -= split;
      this.range -= split;
    }
    this.normalise();
    return one;
  }

  private next(): number {
    // Past the end the decoder reads zeros (§4.1.2.1).
    return this.bytes[this.offset++] ?? 0;
  }

  private normalise(): void {
    while (this.range <= 2 ** 23) {
      this.range *= 256;
      const previous = this.remainder;
      this.remainder = this.next();
      const symbol = ((previous << 8) | this.remainder) >> 1;
      this.value = (this.value * 256 + (255 & ~symbol)) % 2 ** 31;
    }
  }
}

/**
 * Whether the packet's first Opus frame carries LBRR (FEC) data for the frame before it. CELT-only packets never
 * do; a SILK or hybrid frame says so in its header: per channel, one VAD flag per 20 ms SILK frame, then one LBRR
 * flag (RFC 6716 §4.2.3). A packet too short to read answers false.
 */
export function opusPacketHasFec(packet: Uint8Array): boolean {
  const toc = parseOpusToc(packet);
  if (toc === null || toc.mode === 'celt') return false;
  const offset = firstFrameOffset(packet, toc.code);
  if (offset === null || offset >= packet.length) return false;
  // A 40 or 60 ms SILK frame is two or three 20 ms SILK frames; 10 and 20 ms are one.
  const silkFrames = Math.max(1, toc.frameSamples / 960);
  const decoder = new RangeDecoderStart(packet, offset);
  let lbrr = false;
  for (let channel = 0; channel < (toc.stereo ? 2 : 1); channel++) {
    for (let frame = 0; frame < silkFrames; frame++) decoder.bit();
    if (decoder.bit()) lbrr = true;
  }
  return lbrr;
}
