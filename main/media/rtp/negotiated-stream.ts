// From an SDP negotiation (main/sdp's NegotiatedMedia, RFC 3264) to an RtpSession: the settings a new session is
// built with, and what a later offer/answer (a re-INVITE for hold, resume or a new address) changes on a running one.
import type { NegotiatedMedia } from '../../sdp/negotiated-media';
import type { RemoteAddress, RtpSession, RtpSessionOptions } from './rtp-session';

export type NegotiatedStreamSettings = Pick<
  RtpSessionOptions,
  'remoteRtp' | 'remoteRtcp' | 'payloadType' | 'clockRate' | 'telephoneEvent'
> & {
  /** One socket for RTP and RTCP (RFC 5761), else a second one for RTCP. */
  readonly rtcpMux: boolean;
};

/** Where the legacy hold of RFC 3264 §8.4 (`c=0.0.0.0`) points: nowhere to send to. */
function isUnspecified(address: RemoteAddress): boolean {
  return address.address === '0.0.0.0' || address.address === '::';
}

export function negotiatedStreamSettings(media: NegotiatedMedia): NegotiatedStreamSettings {
  return {
    remoteRtp: media.remoteRtp,
    remoteRtcp: media.rtcpMux ? media.remoteRtp : media.remoteRtcp,
    payloadType: media.codec.payloadType,
    clockRate: media.codec.clockRate,
    ...(media.telephoneEvent === undefined ? {} : { telephoneEvent: media.telephoneEvent }),
    rtcpMux: media.rtcpMux,
  };
}

/**
 * Applies a later negotiation to a running session: directions (hold and resume) and, unless it is the legacy
 * `c=0.0.0.0` hold, the far end's addresses. A changed codec or payload type needs a new session and is not
 * handled here.
 */
export function applyNegotiatedMedia(session: RtpSession, media: NegotiatedMedia): void {
  if (!isUnspecified(media.remoteRtp)) {
    const settings = negotiatedStreamSettings(media);
    session.setRemote(settings.remoteRtp, settings.remoteRtcp);
  }
  session.setSending(media.send);
  session.setReceiving(media.receive);
}
