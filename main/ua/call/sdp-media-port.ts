// The SDP half of a media port (RFC 3264 offer/answer through main/sdp), so a real media session only has to say
// where it receives and what to do when media starts, changes or stops. It keeps one LocalSessionDescription for
// the call (the o= version rises with each change, §8), the last agreed session (re-offers keep dynamic payload
// numbers, §8.3.2), and the offer in flight until its answer arrives or it is rolled back.
import { type Result, err, ok } from '../../contract/result';
import type { Random } from '../../platform/random';
import type { CodecName } from '../../sdp/codecs';
import { createAnswer } from '../../sdp/create-answer';
import { createOffer } from '../../sdp/create-offer';
import { LocalSessionDescription } from '../../sdp/local-session-description';
import { type NegotiatedMedia, negotiatedMedia } from '../../sdp/negotiated-media';
import { parseSessionDescription } from '../../sdp/parse-session-description';
import type { SdpError } from '../../sdp/sdp-error';
import type { ConnectionAddress, MediaSection, SessionDescription } from '../../sdp/session-description';
import type { LocalAnswer, LocalMediaOptions, MediaPort } from './media-port';

/** Where our media session receives. */
export interface LocalMediaEndpoint {
  readonly address: ConnectionAddress;
  readonly rtpPort: number;
  /** Our RTCP port when the far end does not mux; RTP + 1 when absent. */
  readonly rtcpPort?: number;
  /** The account's codec order; the default order when absent. */
  readonly codecs?: readonly CodecName[];
}

/** What the media session itself does; the SDP is handled here. */
export interface MediaStreamControl {
  start(media: NegotiatedMedia): void;
  update(media: NegotiatedMedia): void;
  stop(): void;
}

export class SdpMediaPort implements MediaPort {
  readonly #endpoint: LocalMediaEndpoint;
  readonly #control: MediaStreamControl;
  readonly #local: LocalSessionDescription;
  /** Our side of the last agreement (offer or answer): its m-line is the `previous` of the next offer. */
  #agreedLocal: SessionDescription | undefined;
  #pendingOffer: SessionDescription | undefined;
  /**
   * Our latest offer once answered. An answer in an unreliable 183 is only a preview (RFC 3261 §13.2.1, RFC 3262
   * §1): the 2xx may bring the final one, or another fork its own, so a later answer to the same offer still counts.
   */
  #answeredOffer: SessionDescription | undefined;
  /** The far end did not want our media in the last agreement. */
  #heldByRemote = false;

  constructor(endpoint: LocalMediaEndpoint, control: MediaStreamControl, random: Random) {
    this.#endpoint = endpoint;
    this.#control = control;
    this.#local = new LocalSessionDescription(random, endpoint.address);
  }

  createOffer(options: LocalMediaOptions): string {
    const previous = this.#previousAudio();
    const body = createOffer({
      address: this.#endpoint.address,
      port: this.#endpoint.rtpPort,
      ...(this.#endpoint.rtcpPort === undefined ? {} : { rtcpPort: this.#endpoint.rtcpPort }),
      ...(this.#endpoint.codecs === undefined ? {} : { codecs: this.#endpoint.codecs }),
      // RFC 6337 §5: holding offers sendonly, or inactive when the far end already holds us; resuming offers
      // sendrecv and lets the answer narrow it to what the far end still allows.
      direction: options.hold ? (this.#heldByRemote ? 'inactive' : 'sendonly') : 'sendrecv',
      ...(previous === undefined ? {} : { previous }),
    });
    const described = this.#local.describe(body);
    this.#pendingOffer = described.session;
    // A new offer makes the answered one history: late answers to it no longer count.
    this.#answeredOffer = undefined;
    return described.text;
  }

  createAnswer(offer: string, options: LocalMediaOptions): Result<LocalAnswer, SdpError> {
    const remote = parseSessionDescription(offer);
    if (!remote.ok) return remote;
    const body = createAnswer(remote.value, {
      address: this.#endpoint.address,
      port: this.#endpoint.rtpPort,
      ...(this.#endpoint.rtcpPort === undefined ? {} : { rtcpPort: this.#endpoint.rtcpPort }),
      ...(this.#endpoint.codecs === undefined ? {} : { codecs: this.#endpoint.codecs }),
      direction: options.hold ? 'sendonly' : 'sendrecv',
    });
    if (!body.ok) return body;
    const described = this.#local.describe(body.value);
    const media = negotiatedMedia(described.session, remote.value, 'answerer');
    if (!media.ok) return media;
    this.#agreedLocal = described.session;
    this.#pendingOffer = undefined;
    this.#answeredOffer = undefined;
    this.#heldByRemote = media.value.heldByRemote;
    return ok({ sdp: described.text, media: media.value });
  }

  acceptAnswer(answer: string): Result<NegotiatedMedia, SdpError> {
    const offer = this.#pendingOffer ?? this.#answeredOffer;
    if (offer === undefined)
      return err({ reason: 'an answer came with no offer of ours pending', status: 488 });
    const remote = parseSessionDescription(answer);
    if (!remote.ok) return remote;
    const media = negotiatedMedia(offer, remote.value, 'offerer');
    if (!media.ok) return media;
    this.#agreedLocal = offer;
    this.#answeredOffer = offer;
    this.#pendingOffer = undefined;
    this.#heldByRemote = media.value.heldByRemote;
    return media;
  }

  rollback(): void {
    this.#pendingOffer = undefined;
  }

  start(media: NegotiatedMedia): void {
    this.#control.start(media);
  }

  update(media: NegotiatedMedia): void {
    this.#control.update(media);
  }

  stop(): void {
    this.#control.stop();
  }

  #previousAudio(): MediaSection | undefined {
    return this.#agreedLocal?.media.find((section) => section.type === 'audio' && section.port !== 0);
  }
}
