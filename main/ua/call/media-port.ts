// The one door between a call and its media, in the way SIP.js's SessionDescriptionHandler works: the call asks
// the port for our SDP (an offer, or an answer to theirs), hands it the far end's answer, and tells it when the
// negotiated media starts, changes (hold, a new codec or address) and stops. The call never sees a socket, a codec
// or a thread; the port never sees SIP. `SdpMediaPort` (sdp-media-port.ts) does the SDP half with main/sdp and
// leaves only the stream control to the real media session.
import type { Result } from '../../contract/result';
import type { NegotiatedMedia } from '../../sdp/negotiated-media';
import type { SdpError } from '../../sdp/sdp-error';

export interface LocalMediaOptions {
  /** We hold the call: our side stops receiving (RFC 6337 §5, RFC 3264 §8.4). */
  readonly hold: boolean;
}

export interface LocalAnswer {
  /** Our answer, SDP text. */
  readonly sdp: string;
  /** What flows once the answer is sent. */
  readonly media: NegotiatedMedia;
}

export interface MediaPort {
  /** Our offer (SDP text) for an INVITE, a re-INVITE, an UPDATE, or a 2xx to an INVITE that came without SDP. */
  createOffer(options: LocalMediaOptions): string;
  /**
   * Our answer to the far end's offer. An error carries the status to refuse the request with (400 for a body that
   * is not SDP, 488 with a Warning for SDP we cannot accept); the session as agreed before stays.
   */
  createAnswer(offer: string, options: LocalMediaOptions): Result<LocalAnswer, SdpError>;
  /** The far end's answer to our latest offer. An error means the answer is unusable (RFC 3264 §6). */
  acceptAnswer(answer: string): Result<NegotiatedMedia, SdpError>;
  /** Our latest offer was refused or withdrawn (a failed re-INVITE, §14.1): the session stays as agreed before it. */
  rollback(): void;
  /** Media starts flowing as negotiated (the first agreement of the call, or early media). */
  start(media: NegotiatedMedia): void;
  /** A later agreement: hold, resume, a new codec or a new address of the far end. */
  update(media: NegotiatedMedia): void;
  /** The call is over: release sockets and streams. Called once; nothing is called after it. */
  stop(): void;
}

/** What a call tells the factory when it needs a port. */
export interface MediaPortRequest {
  /** The call's own id (`Call.id`), unique in the agent: the media session may name its stream after it. */
  readonly callRef: string;
  readonly direction: 'outgoing' | 'incoming';
}

/** Makes the media port of one call (the engine's: a stream in the media worker; the tests': a recorder). */
export type MediaPortFactory = (request: MediaPortRequest) => Promise<MediaPort>;
