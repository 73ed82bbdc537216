// The Opus work of one 20 ms frame of a call, as the CPU-floor benchmark measures it twice: once per tick in its
// worker thread (bench/calls/floor-worker.ts) and back to back in a tight loop, so the two costs can be set side by
// side. Each step encodes the next frame of a looping speech-like signal and decodes one packet.
import { OpusDecoder, OpusEncoder } from '../../main/media/codecs/opus-codec';
import { FRAME_SAMPLES } from '../../main/media/media-seams';
import { speechSignal } from './speech-signal';

/** Seconds of speech the encoder loops over. */
const SPEECH_SECONDS = 10;

export class OpusFrameWork {
  readonly #encoder: OpusEncoder;
  readonly #decoder: OpusDecoder;
  readonly #speech: Int16Array;
  readonly #frames: number;
  #next = 0;

  constructor() {
    // The far end's fmtp as a call to baresip or SIPp negotiates it: in-band FEC on; the adapter's defaults do the
    // rest (32 kb/s, complexity 5, 0 % expected loss until the far end reports loss, fullband), as in the media worker.
    this.#encoder = new OpusEncoder({ fmtp: 'useinbandfec=1' });
    this.#decoder = new OpusDecoder();
    this.#speech = speechSignal(SPEECH_SECONDS);
    this.#frames = Math.floor(this.#speech.length / FRAME_SAMPLES);
  }

  /**
   * Encodes the next frame and decodes `received` (a far end's packet), or the packet just encoded when there is
   * none. Returns the encoded packet: a view the encoder reuses, valid until the next step.
   */
  step(received?: Uint8Array): Uint8Array {
    const start = (this.#next++ % this.#frames) * FRAME_SAMPLES;
    const packet = this.#encoder.encode(this.#speech.subarray(start, start + FRAME_SAMPLES));
    this.#decoder.decode(received ?? packet);
    return packet;
  }

  dispose(): void {
    this.#encoder.dispose();
    this.#decoder.dispose();
  }
}
