// A media port for call tests: the real SDP half (SdpMediaPort, so offers and answers are what the engine sends)
// over a stream control that only records what the call told it. One RecordingMedia hands out a port per call and
// keeps every port's log, so a test can read what media was started, updated and stopped, in order.
import type { NegotiatedMedia } from '../../main/sdp/negotiated-media';
import type { MediaPort, MediaPortFactory, MediaPortRequest } from '../../main/ua/call/media-port';
import { SdpMediaPort } from '../../main/ua/call/sdp-media-port';
import type { Random } from '../../main/platform/random';
import type { CodecName } from '../../main/sdp/codecs';

export type MediaEvent =
  | { readonly kind: 'start'; readonly media: NegotiatedMedia }
  | { readonly kind: 'update'; readonly media: NegotiatedMedia }
  | { readonly kind: 'stop' };

export interface RecordedPort {
  readonly request: MediaPortRequest;
  readonly rtpPort: number;
  readonly events: MediaEvent[];
  readonly port: MediaPort;
}

export interface RecordingMediaOptions {
  readonly address: string;
  readonly random: Random;
  /** First RTP port handed out; each port takes the next even number. Default 40000. */
  readonly firstPort?: number;
  readonly codecs?: readonly CodecName[];
  /** Make the factory fail, as a media worker that cannot open a socket would. */
  readonly fail?: boolean;
}

export class RecordingMedia {
  readonly ports: RecordedPort[] = [];
  readonly #options: RecordingMediaOptions;
  #nextPort: number;
  fail: boolean;
  /** Make start() throw, as a media session with a bug would. */
  throwOnStart = false;

  constructor(options: RecordingMediaOptions) {
    this.#options = options;
    this.#nextPort = options.firstPort ?? 40_000;
    this.fail = options.fail ?? false;
  }

  readonly factory: MediaPortFactory = (request) => {
    if (this.fail) return Promise.reject(new Error('no media today'));
    const rtpPort = this.#nextPort;
    this.#nextPort += 2;
    const events: MediaEvent[] = [];
    const port = new SdpMediaPort(
      {
        address: { addressType: 'IP4', address: this.#options.address },
        rtpPort,
        ...(this.#options.codecs ? { codecs: this.#options.codecs } : {}),
      },
      {
        start: (media) => {
          if (this.throwOnStart) throw new Error('media session broke');
          events.push({ kind: 'start', media });
        },
        update: (media) => events.push({ kind: 'update', media }),
        stop: () => events.push({ kind: 'stop' }),
      },
      this.#options.random,
    );
    this.ports.push({ request, rtpPort, events, port });
    return Promise.resolve(port);
  };

  /** The kinds of every event of the latest port, e.g. ['start', 'update', 'stop']. */
  get lastKinds(): string[] {
    return this.ports.at(-1)?.events.map((event) => event.kind) ?? [];
  }

  /** The latest media started or updated on the latest port. */
  get lastMedia(): NegotiatedMedia | undefined {
    const events = this.ports.at(-1)?.events ?? [];
    for (let index = events.length - 1; index >= 0; index--) {
      const event = events[index]!;
      if (event.kind !== 'stop') return event.media;
    }
    return undefined;
  }
}
