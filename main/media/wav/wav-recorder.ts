// Records what a call hears: every speaker frame the worker posts (one per 20 ms tick from the stream's start)
// goes into a WavWriter. The worker posts silence until audio arrives and while none does, so the file's time
// origin is the stream's first tick, the same as the WavPlayer's: a round trip can be read off the two files.
import type { Result } from '../../contract/result';
import type { AudioStream } from '../session/audio-stream-endpoint';
import type { WavWriter } from './wav-writer';

export class WavRecorder {
  readonly #stream: AudioStream;
  readonly #writer: WavWriter;
  #unsubscribe: (() => void) | undefined;
  #frames = 0;

  constructor(stream: AudioStream, writer: WavWriter) {
    this.#stream = stream;
    this.#writer = writer;
  }

  get frames(): number {
    return this.#frames;
  }

  start(): void {
    if (this.#unsubscribe !== undefined) return;
    this.#unsubscribe = this.#stream.onFrame((frame) => {
      this.#frames++;
      this.#writer.append(frame);
    });
  }

  /** Stops listening and finishes the file; answers the samples written or why the file is incomplete. */
  stop(): Promise<Result<{ readonly samples: number }, string>> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    return this.#writer.close();
  }
}
