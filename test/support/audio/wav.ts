// A small RIFF/WAVE reader and writer for test fixtures and recordings: 16-bit integer PCM only, which is what
// the fixtures, baresip's sndfile recorder and the softphone's --record write. Test-only on purpose: the product
// reads and writes WAV in main/media once that exists.
//
// The reader forgives one thing real recorders do: a file still being written (or killed before it closed) has a
// data chunk whose size field is 0 or larger than the file. The bytes that are there are used.

export interface PcmAudio {
  readonly sampleRate: number;
  readonly channels: number;
  /** Interleaved 16-bit samples (frame after frame, each frame one sample per channel). */
  readonly samples: Int16Array;
}

export class WavFormatError extends Error {
  override readonly name = 'WavFormatError';
}

const RIFF = 0x46464952; // "RIFF" little-endian
const WAVE = 0x45564157; // "WAVE"
const FMT = 0x20746d66; // "fmt "
const DATA = 0x61746164; // "data"
const FORMAT_PCM = 1;
const FORMAT_EXTENSIBLE = 0xfffe;

export function parseWav(bytes: Uint8Array): PcmAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || view.getUint32(0, true) !== RIFF || view.getUint32(8, true) !== WAVE) {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  let format: { sampleRate: number; channels: number } | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = view.getUint32(offset, true);
    const declared = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === FMT) {
      if (declared < 16 || body + 16 > bytes.byteLength) throw new WavFormatError('fmt chunk too short');
      const tag = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const bits = view.getUint16(body + 14, true);
      if ((tag !== FORMAT_PCM && tag !== FORMAT_EXTENSIBLE) || bits !== 16) {
        throw new WavFormatError(`only 16-bit PCM is read here (format ${tag}, ${bits} bits)`);
      }
      if (channels === 0 || sampleRate === 0) throw new WavFormatError('fmt chunk names no channels or rate');
      format = { sampleRate, channels };
    } else if (id === DATA) {
      if (format === undefined) throw new WavFormatError('data chunk before fmt chunk');
      const available = bytes.byteLength - body;
      // 0 or an overlong size: a recorder that has not closed the file yet.
      const size = declared === 0 || declared > available ? available : declared;
      const frameBytes = 2 * format.channels;
      const usable = size - (size % frameBytes);
      const samples = new Int16Array(usable / 2);
      for (let index = 0; index < samples.length; index++)
        samples[index] = view.getInt16(body + 2 * index, true);
      return { ...format, samples };
    }
    // Chunks are word-aligned (a pad byte follows an odd size).
    offset = body + declared + (declared % 2);
  }
  throw new WavFormatError(format === undefined ? 'no fmt chunk' : 'no data chunk');
}

export function serializeWav(audio: PcmAudio): Uint8Array {
  const dataBytes = audio.samples.length * 2;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  view.setUint32(0, RIFF, true);
  view.setUint32(4, 36 + dataBytes, true);
  view.setUint32(8, WAVE, true);
  view.setUint32(12, FMT, true);
  view.setUint32(16, 16, true);
  view.setUint16(20, FORMAT_PCM, true);
  view.setUint16(22, audio.channels, true);
  view.setUint32(24, audio.sampleRate, true);
  view.setUint32(28, audio.sampleRate * audio.channels * 2, true);
  view.setUint16(32, audio.channels * 2, true);
  view.setUint16(34, 16, true);
  view.setUint32(36, DATA, true);
  view.setUint32(40, dataBytes, true);
  for (let index = 0; index < audio.samples.length; index++)
    view.setInt16(44 + 2 * index, audio.samples[index]!, true);
  return out;
}

/** The channels averaged into one, scaled to [-1, 1). */
export function monoFloat(audio: PcmAudio): Float32Array {
  const frames = Math.floor(audio.samples.length / audio.channels);
  const out = new Float32Array(frames);
  for (let frame = 0; frame < frames; frame++) {
    let sum = 0;
    for (let channel = 0; channel < audio.channels; channel++) {
      sum += audio.samples[frame * audio.channels + channel]!;
    }
    out[frame] = sum / audio.channels / 32768;
  }
  return out;
}

/** Duration in seconds. */
export function durationOf(audio: PcmAudio): number {
  return audio.samples.length / audio.channels / audio.sampleRate;
}
