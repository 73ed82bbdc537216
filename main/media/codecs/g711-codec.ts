// The G.711 adapters behind the VoiceEncoder/VoiceDecoder seams: PCMU (μ-law, RTP payload type 0) and PCMA (A-law,
// payload type 8), both with an 8000 Hz RTP clock and one byte per sample (RFC 3551 §4.5.14). The engine's frames
// are 48 kHz, so each direction resamples inside: 48 → 8 kHz before companding with the telephone-band filter
// (nothing above 4 kHz folds back), 8 → 48 kHz after expanding, both in two stages through 16 kHz
// (telephone-resampler.ts: the same response as one stage for half the work). Loss is concealed at 8 kHz (G711Concealment) and
// then goes through the same interpolator, so its filter state stays continuous through a loss.
import type { CodecName } from '../../sdp/codecs';
import { ENGINE_SAMPLE_RATE, type VoiceDecoder, type VoiceEncoder } from '../media-seams';
import { G711Concealment } from './g711-concealment';
import { decodeALaw, decodeMuLaw, encodeALaw, encodeMuLaw } from './g711';
import { telephoneDownsampler, telephoneUpsampler } from './telephone-resampler';

export const G711_CLOCK_RATE = 8000;
/** Engine samples per G.711 sample. */
const RATIO = ENGINE_SAMPLE_RATE / G711_CLOCK_RATE;

type Compand = (samples: Int16Array, output: Uint8Array<ArrayBuffer>) => Uint8Array;
type Expand = (codes: Uint8Array, output: Int16Array<ArrayBuffer>) => Int16Array;

class G711Encoder implements VoiceEncoder {
  readonly clockRate = G711_CLOCK_RATE;
  private readonly downsampler = telephoneDownsampler();
  private narrow = new Int16Array(160);
  private payload = new Uint8Array(160);

  constructor(
    readonly codec: CodecName,
    private readonly compand: Compand,
  ) {}

  /** `frame` holds a multiple of 6 samples at 48 kHz (any ptime in whole 20 ms frames does). */
  encode(frame: Int16Array): Uint8Array {
    if (frame.length % RATIO !== 0) {
      throw new RangeError(
        `a G.711 frame must hold a multiple of ${RATIO} samples at 48 kHz, not ${frame.length}`,
      );
    }
    const count = frame.length / RATIO;
    if (this.narrow.length !== count) {
      this.narrow = new Int16Array(count);
      this.payload = new Uint8Array(count);
    }
    this.downsampler.process(frame, this.narrow);
    return this.compand(this.narrow, this.payload);
  }

  dispose(): void {
    this.downsampler.reset();
  }
}

class G711Decoder implements VoiceDecoder {
  readonly clockRate = G711_CLOCK_RATE;
  private readonly upsampler = telephoneUpsampler();
  private readonly concealment = new G711Concealment();

  constructor(
    readonly codec: CodecName,
    private readonly expand: Expand,
  ) {}

  /** Every byte is a sample, so no payload is malformed: 160 bytes become 960 samples at 48 kHz. */
  decode(payload: Uint8Array): Int16Array {
    const narrow = this.expand(payload, new Int16Array(payload.length));
    this.concealment.heardAudio(narrow);
    return this.upsampler.process(narrow);
  }

  /**
   * The repeat-and-fade of G711Concealment for `samples` at 48 kHz. The concealment runs at 8 kHz, so a length
   * that is not a multiple of 6 is produced rounded up and cut.
   */
  conceal(samples: number): Int16Array {
    const wanted = Math.max(0, Math.floor(samples));
    const upsampled = this.upsampler.process(this.concealment.conceal(Math.ceil(wanted / RATIO)));
    return upsampled.length === wanted ? upsampled : upsampled.slice(0, wanted);
  }

  dispose(): void {
    this.upsampler.reset();
  }
}

export class PcmuEncoder extends G711Encoder {
  constructor() {
    super('pcmu', encodeMuLaw);
  }
}

export class PcmaEncoder extends G711Encoder {
  constructor() {
    super('pcma', encodeALaw);
  }
}

export class PcmuDecoder extends G711Decoder {
  constructor() {
    super('pcmu', decodeMuLaw);
  }
}

export class PcmaDecoder extends G711Decoder {
  constructor() {
    super('pcma', decodeALaw);
  }
}
