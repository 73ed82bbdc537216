// Writes what a call hears as a WAV file while the call runs: 16-bit PCM, mono, 48 kHz (the engine's frames as they
// are). Appending never blocks the caller: writes are queued in order on an injected sink (a file in production,
// memory in tests) and their failure is kept and reported by `close()`, never thrown.
//
// A recording must be readable even when the process dies before `close()`. The first header declares the largest
// sizes (RIFF and data 0xFFFFFFFF, the convention of streaming writers: "to the end of the file"), so a tolerant
// reader takes everything from the start. Then, once a second of audio, the header is rewritten with the exact
// sizes, so a strict reader sees all but the last second; `close()` writes the final sizes.
import { err, ok, type Result } from '../../contract/result';
import { ENGINE_SAMPLE_RATE } from '../media-seams';

/** Where the bytes go: positioned writes, then close. */
export interface WavSink {
  write(bytes: Uint8Array, position: number): Promise<void>;
  close(): Promise<void>;
}

export interface WavWriterOptions {
  /** Samples between exact header rewrites. Default one second. */
  readonly headerEverySamples?: number;
}

export const WAV_HEADER_BYTES = 44;
/** The RIFF size field is 32 bits: the data must leave room for the header's 36 counted bytes. */
export const MAX_WAV_DATA_BYTES = 0xffffffff - 36;
const UNKNOWN_SIZE = 0xffffffff;

/** The canonical 44-byte header of 16-bit mono PCM at `sampleRate`; `dataBytes` undefined writes the open sizes. */
export function wavHeader(dataBytes: number | undefined, sampleRate = ENGINE_SAMPLE_RATE): Uint8Array {
  const header = new Uint8Array(WAV_HEADER_BYTES);
  const view = new DataView(header.buffer);
  const text = (offset: number, value: string): void => {
    for (let index = 0; index < value.length; index++) header[offset + index] = value.charCodeAt(index);
  };
  text(0, 'RIFF');
  view.setUint32(4, dataBytes === undefined ? UNKNOWN_SIZE : 36 + dataBytes, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  text(36, 'data');
  view.setUint32(40, dataBytes === undefined ? UNKNOWN_SIZE : dataBytes, true);
  return header;
}

function littleEndian(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(samples.length * 2);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < samples.length; index++) view.setInt16(index * 2, samples[index]!, true);
  return bytes;
}

export class WavWriter {
  readonly #sink: WavSink;
  readonly #headerEverySamples: number;
  #queue: Promise<void>;
  #samples = 0;
  #sinceHeader = 0;
  #failure: string | undefined;
  #closed: Promise<Result<{ readonly samples: number }, string>> | undefined;
  #full = false;

  constructor(sink: WavSink, options: WavWriterOptions = {}) {
    this.#sink = sink;
    this.#headerEverySamples = Math.max(1, options.headerEverySamples ?? ENGINE_SAMPLE_RATE);
    this.#queue = Promise.resolve();
    this.#enqueue(wavHeader(undefined), 0);
  }

  /** Samples accepted so far. */
  get samples(): number {
    return this.#samples;
  }

  /** The file reached the 4 GiB limit of WAV sizes (about 12 hours); later samples were not written. */
  get full(): boolean {
    return this.#full;
  }

  /** The first write error, if any; appending after one does nothing. */
  get failure(): string | undefined {
    return this.#failure;
  }

  append(samples: Int16Array): void {
    if (this.#closed !== undefined || this.#failure !== undefined || this.#full || samples.length === 0)
      return;
    const room = Math.floor((MAX_WAV_DATA_BYTES - this.#samples * 2) / 2);
    const taken = samples.length > room ? samples.subarray(0, room) : samples;
    if (taken.length < samples.length) this.#full = true;
    this.#enqueue(littleEndian(taken), WAV_HEADER_BYTES + this.#samples * 2);
    this.#samples += taken.length;
    this.#sinceHeader += taken.length;
    if (this.#sinceHeader >= this.#headerEverySamples) {
      this.#sinceHeader = 0;
      this.#enqueue(wavHeader(this.#samples * 2), 0);
    }
  }

  /** Writes the exact header and closes the sink; answers how many samples the file holds, or why it failed. */
  close(): Promise<Result<{ readonly samples: number }, string>> {
    this.#closed ??= (async () => {
      this.#enqueue(wavHeader(this.#samples * 2), 0);
      await this.#queue;
      try {
        await this.#sink.close();
      } catch (error) {
        this.#failure ??= error instanceof Error ? error.message : String(error);
      }
      return this.#failure === undefined ? ok({ samples: this.#samples }) : err(this.#failure);
    })();
    return this.#closed;
  }

  #enqueue(bytes: Uint8Array, position: number): void {
    this.#queue = this.#queue.then(async () => {
      if (this.#failure !== undefined) return;
      try {
        await this.#sink.write(bytes, position);
      } catch (error) {
        this.#failure = error instanceof Error ? error.message : String(error);
      }
    });
  }
}
