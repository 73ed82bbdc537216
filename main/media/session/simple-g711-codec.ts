// STAND-IN until the codecs of main/media/codecs/ are merged: G.711 (PCMU, PCMA) encoders and decoders for the
// seams, with the crudest resampling that still sounds like speech (48 → 8 kHz by averaging each 6 samples, 8 →
// 48 kHz by linear interpolation) and concealment that repeats the last frame at half the level each time. No
// Opus. Only stand-in-pieces.ts uses it.
import { err, ok, type Result } from '../../contract/result';
import type { CodecName } from '../../sdp/codecs';
import { decodeALaw, decodeMuLaw, encodeALaw, encodeMuLaw } from '../codecs/g711';
import { ENGINE_SAMPLE_RATE, type VoiceDecoder, type VoiceEncoder } from '../media-seams';
import type { StreamParams } from './media-worker-protocol';
import type { VoiceCodecPair } from './stream-pieces';

const G711_RATE = 8000;
const RATIO = ENGINE_SAMPLE_RATE / G711_RATE;

function downsample(frame: Int16Array): Int16Array {
  const out = new Int16Array(Math.floor(frame.length / RATIO));
  for (let index = 0; index < out.length; index++) {
    let sum = 0;
    for (let offset = 0; offset < RATIO; offset++) sum += frame[index * RATIO + offset] ?? 0;
    out[index] = Math.round(sum / RATIO);
  }
  return out;
}

function upsample(samples: Int16Array, previous: number): Int16Array {
  const out = new Int16Array(samples.length * RATIO);
  let from = previous;
  for (let index = 0; index < samples.length; index++) {
    const to = samples[index] ?? 0;
    for (let step = 0; step < RATIO; step++) {
      out[index * RATIO + step] = Math.round(from + ((to - from) * (step + 1)) / RATIO);
    }
    from = to;
  }
  return out;
}

class SimpleG711Encoder implements VoiceEncoder {
  readonly clockRate = G711_RATE;
  readonly codec: CodecName;
  readonly #law: (samples: Int16Array) => Uint8Array;

  constructor(codec: CodecName) {
    this.codec = codec;
    this.#law = codec === 'pcmu' ? (samples) => encodeMuLaw(samples) : (samples) => encodeALaw(samples);
  }

  encode(frame: Int16Array): Uint8Array {
    return this.#law(downsample(frame));
  }

  dispose(): void {}
}

class SimpleG711Decoder implements VoiceDecoder {
  readonly clockRate = G711_RATE;
  readonly codec: CodecName;
  readonly #law: (codes: Uint8Array) => Int16Array;
  #last = 0;
  #previous: Int16Array | null = null;

  constructor(codec: CodecName) {
    this.codec = codec;
    this.#law = codec === 'pcmu' ? (codes) => decodeMuLaw(codes) : (codes) => decodeALaw(codes);
  }

  decode(payload: Uint8Array): Int16Array {
    const narrow = this.#law(payload);
    const wide = upsample(narrow, this.#last);
    this.#last = narrow[narrow.length - 1] ?? this.#last;
    this.#previous = wide;
    return wide;
  }

  conceal(samples: number): Int16Array {
    const out = new Int16Array(samples);
    const previous = this.#previous;
    if (previous === null || previous.length === 0) return out;
    for (let index = 0; index < samples; index++) out[index] = (previous[index % previous.length] ?? 0) >> 1;
    this.#previous = out;
    return out;
  }

  dispose(): void {}
}

export function createSimpleG711Codec(codec: StreamParams['codec']): Result<VoiceCodecPair, string> {
  if (codec.name !== 'pcmu' && codec.name !== 'pcma') {
    return err(`${codec.name} is not available in the stand-in codecs (G.711 only)`);
  }
  return ok({ encoder: new SimpleG711Encoder(codec.name), decoder: new SimpleG711Decoder(codec.name) });
}
