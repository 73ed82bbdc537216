// Reads WAV files (RIFF/WAVE, Microsoft's multimedia format) from untrusted bytes into mono 16-bit samples at the
// file's own rate. Integer PCM of 8 (unsigned), 16, 24 and 32 bits and IEEE float of 32 and 64 bits, plain or as
// WAVE_FORMAT_EXTENSIBLE, any channel count up to 8 (averaged down to mono). Never throws: a file that cannot be
// read is a `WavError` with a reason.
//
//   "RIFF" size "WAVE" │ chunk: id(4) size(4, little-endian) body(size) [pad byte when size is odd] │ chunk …
//
// What it forgives, since real files do all of these: a RIFF size that disagrees with the file, chunks in any order,
// unknown chunks (LIST, fact, bext…), a data size larger than the file or 0xFFFFFFFF (a writer that streamed and
// never came back, or a file cut short: the frames present are read and `truncated` says so), a trailing partial
// frame, junk after the last whole chunk. What it refuses: no RIFF/WAVE header, no fmt or data chunk, a fmt that
// contradicts itself (block align ≠ channels × bytes per sample), formats other than PCM and float.
import { err, ok, type Result } from '../../contract/result';

export type WavErrorReason =
  'not-riff' | 'not-wave' | 'no-format' | 'bad-format' | 'unsupported-encoding' | 'no-data' | 'too-large';

export interface WavError {
  readonly reason: WavErrorReason;
  readonly message: string;
}

export type WavEncoding = 'pcm' | 'float';

export interface WavFormat {
  readonly encoding: WavEncoding;
  readonly channels: number;
  readonly sampleRate: number;
  readonly bitsPerSample: number;
  readonly blockAlign: number;
}

export interface WavAudio {
  readonly format: WavFormat;
  /** Mono (channels averaged), 16-bit, at `format.sampleRate`. */
  readonly samples: Int16Array;
  /** The data chunk claimed more bytes than the file holds; what was there has been read. */
  readonly truncated: boolean;
}

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;
/** The tail shared by the KSDATAFORMAT_SUBTYPE GUIDs; the first two bytes carry the plain format tag. */
const SUBFORMAT_GUID_TAIL = [
  0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];
const MAX_CHANNELS = 8;
const MIN_RATE = 1_000;
const MAX_RATE = 384_000;
/** Samples the reader will produce at most (one channel): 2^28, about 93 minutes at 48 kHz. */
export const MAX_WAV_SAMPLES = 1 << 28;
const CHUNK_HEADER = 8;

function fail(reason: WavErrorReason, message: string): Result<never, WavError> {
  return err({ reason, message });
}

function ascii(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + 4));
}

interface Chunk {
  readonly body: number;
  readonly size: number;
}

function parseFormat(view: DataView, chunk: Chunk): Result<WavFormat, WavError> {
  if (chunk.size < 16)
    return fail('bad-format', `the fmt chunk is ${chunk.size} bytes; at least 16 are needed`);
  const at = chunk.body;
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  if (tag === FORMAT_EXTENSIBLE) {
    if (chunk.size < 40) return fail('bad-format', 'WAVE_FORMAT_EXTENSIBLE without its 22 extra bytes');
    const guid = new Uint8Array(view.buffer, view.byteOffset + at + 24, 16);
    if (!SUBFORMAT_GUID_TAIL.every((byte, index) => guid[index + 2] === byte)) {
      return fail(
        'unsupported-encoding',
        'WAVE_FORMAT_EXTENSIBLE with a sub-format that is not PCM or float',
      );
    }
    tag = view.getUint16(at + 24, true);
  }
  if (tag !== FORMAT_PCM && tag !== FORMAT_FLOAT) {
    return fail(
      'unsupported-encoding',
      `format tag 0x${tag.toString(16)} (only PCM and IEEE float are read)`,
    );
  }
  const encoding: WavEncoding = tag === FORMAT_PCM ? 'pcm' : 'float';
  const supportedBits = encoding === 'pcm' ? [8, 16, 24, 32] : [32, 64];
  if (!supportedBits.includes(bitsPerSample)) {
    return fail('unsupported-encoding', `${bitsPerSample}-bit ${encoding} samples`);
  }
  if (channels < 1 || channels > MAX_CHANNELS) {
    return fail('bad-format', `${channels} channels (1 to ${MAX_CHANNELS} are read)`);
  }
  if (sampleRate < MIN_RATE || sampleRate > MAX_RATE) {
    return fail('bad-format', `a sample rate of ${sampleRate} Hz`);
  }
  if (blockAlign !== channels * (bitsPerSample / 8)) {
    return fail('bad-format', `block align ${blockAlign} does not match ${channels} × ${bitsPerSample} bits`);
  }
  return ok({ encoding, channels, sampleRate, bitsPerSample, blockAlign });
}

/** One sample as a float in [-1, 1). */
function sampleReader(format: WavFormat, view: DataView): (offset: number) => number {
  if (format.encoding === 'float') {
    return format.bitsPerSample === 32
      ? (offset) => view.getFloat32(offset, true)
      : (offset) => view.getFloat64(offset, true);
  }
  switch (format.bitsPerSample) {
    case 8:
      // 8-bit WAV is unsigned, centred on 128.
      return (offset) => (view.getUint8(offset) - 128) / 128;
    case 16:
      return (offset) => view.getInt16(offset, true) / 32_768;
    case 24:
      return (offset) =>
        (view.getUint8(offset) | (view.getUint8(offset + 1) << 8) | (view.getInt8(offset + 2) << 16)) /
        8_388_608;
    default:
      return (offset) => view.getInt32(offset, true) / 2_147_483_648;
  }
}

function toInt16(value: number): number {
  // NaN from a float file counts as silence; anything beyond full scale is clipped.
  if (!(value === value)) return 0;
  const scaled = Math.round(value * 32_768);
  return scaled > 32_767 ? 32_767 : scaled < -32_768 ? -32_768 : scaled;
}

function decodeMono(format: WavFormat, view: DataView, start: number, frames: number): Int16Array {
  const read = sampleReader(format, view);
  const bytesPerSample = format.bitsPerSample / 8;
  const out = new Int16Array(frames);
  for (let frame = 0; frame < frames; frame++) {
    const base = start + frame * format.blockAlign;
    let sum = 0;
    for (let channel = 0; channel < format.channels; channel++) sum += read(base + channel * bytesPerSample);
    out[frame] = toInt16(sum / format.channels);
  }
  return out;
}

/** Reads a whole WAV file's bytes. */
export function parseWav(bytes: Uint8Array): Result<WavAudio, WavError> {
  if (bytes.length < 12 || ascii(bytes, 0) !== 'RIFF') {
    const rf64 = bytes.length >= 4 && (ascii(bytes, 0) === 'RF64' || ascii(bytes, 0) === 'RIFX');
    return fail('not-riff', rf64 ? `${ascii(bytes, 0)} files are not read` : 'no RIFF header');
  }
  if (ascii(bytes, 8) !== 'WAVE') return fail('not-wave', 'a RIFF file that is not WAVE');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: Chunk | undefined;
  let data: Chunk | undefined;
  let truncated = false;
  for (let offset = 12; offset + CHUNK_HEADER <= bytes.length;) {
    const id = ascii(bytes, offset);
    const declared = view.getUint32(offset + 4, true);
    const body = offset + CHUNK_HEADER;
    const available = bytes.length - body;
    if (id === 'fmt ' && fmt === undefined) fmt = { body, size: Math.min(declared, available) };
    if (id === 'data' && data === undefined) {
      if (declared > available) truncated = declared !== 0xffffffff;
      data = { body, size: Math.min(declared, available) };
    }
    if (declared > available) break;
    // Chunks are word-aligned: an odd-sized body is followed by one pad byte (RIFF, "Multimedia Programming
    // Interface and Data Specifications 1.0").
    offset = body + declared + (declared & 1);
  }
  if (fmt === undefined) return fail('no-format', 'no fmt chunk');
  const format = parseFormat(view, fmt);
  if (!format.ok) return format;
  if (data === undefined) return fail('no-data', 'no data chunk');
  const frames = Math.floor(data.size / format.value.blockAlign);
  if (frames > MAX_WAV_SAMPLES) {
    return fail('too-large', `${frames} sample frames; at most ${MAX_WAV_SAMPLES} are read`);
  }
  if (data.size % format.value.blockAlign !== 0) truncated = true;
  return ok({ format: format.value, samples: decodeMono(format.value, view, data.body, frames), truncated });
}
