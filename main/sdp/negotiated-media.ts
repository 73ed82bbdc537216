// What the media layer needs once an offer and its answer are both known: where to send RTP and RTCP, which codec
// and telephone-event payload types, the packet time and whether each direction flows. Works from either side:
// as answerer (our answer, their offer) and as offerer applying their answer to our offer, where RFC 3264 §6.1
// requires the answer's payload types to come from the offer.
import { err, ok, type Result } from '../contract/result';
import { TELEPHONE_EVENT_NAME, codecFor, describeStaticPayloadType, type CodecName } from './codecs';
import { DEFAULT_PTIME } from './create-offer';
import { intersect, toFlow } from './direction';
import { notAcceptable, type SdpError } from './sdp-error';
import {
  effectiveConnection,
  effectiveDirection,
  isHoldAddress,
  type MediaSection,
  type RtpFormat,
  type RtpMap,
  type SessionDescription,
} from './session-description';

export interface TransportAddress {
  readonly address: string;
  readonly port: number;
}

export interface NegotiatedCodec {
  readonly payloadType: number;
  readonly name: CodecName;
  readonly encodingName: string;
  readonly clockRate: number;
  readonly channels: number;
  /** The far end's fmtp for this payload type: what it wants to receive (RFC 7587 §7 for Opus). */
  readonly fmtp?: string;
}

export interface NegotiatedMedia {
  /** Which m-line of the session carries the audio. */
  readonly mediaIndex: number;
  readonly remoteRtp: TransportAddress;
  readonly remoteRtcp: TransportAddress;
  readonly rtcpMux: boolean;
  readonly codec: NegotiatedCodec;
  /**
   * telephone-event as agreed: at the codec's clock rate when both have it (RFC 4733), else the one that was
   * agreed (some phones offer only /8000 beside Opus); its clock rate then drives the event timestamps.
   */
  readonly telephoneEvent?: { readonly payloadType: number; readonly clockRate: number };
  /** The packet time the far end asked for (what we send with); 20 ms when it did not say. */
  readonly ptime: number;
  /** Whether we send RTP, and whether we should expect to receive it. */
  readonly send: boolean;
  readonly receive: boolean;
  /**
   * The far end will not receive (sendonly, inactive or `c=0.0.0.0`): it holds the call (RFC 6337 §5). Our own hold
   * does not set it, so the call can tell "on hold" from "held by the far end".
   */
  readonly heldByRemote: boolean;
}

export type LocalRole = 'offerer' | 'answerer';

/**
 * `local` is what we sent (our offer when `role` is offerer, our answer when answerer); `remote` is what they sent.
 * As offerer this is where a bad answer is caught; the status then says how bad, for the call's end reason (an
 * answer in a 2xx cannot be refused with 488: the call usage ACKs and hangs up).
 */
export function negotiatedMedia(
  local: SessionDescription,
  remote: SessionDescription,
  role: LocalRole,
): Result<NegotiatedMedia, SdpError> {
  const offer = role === 'offerer' ? local : remote;
  const answer = role === 'offerer' ? remote : local;
  if (offer.media.length !== answer.media.length) {
    return err(notAcceptable('the answer does not have one m-line per offered m-line (RFC 3264 §6)'));
  }
  for (const [index, offered] of offer.media.entries()) {
    const answered = answer.media[index];
    if (answered === undefined || offered.type !== 'audio' || offered.port === 0 || answered.port === 0)
      continue;
    const outOfOffer = answered.rtpFormats.find(
      (format) => !offered.rtpFormats.some((candidate) => candidate.payloadType === format.payloadType),
    );
    if (outOfOffer !== undefined) {
      return err(
        notAcceptable(`the answer uses payload type ${outOfOffer.payloadType}, which was not offered`),
      );
    }
    return describe(index, local, remote, offered, answered, role);
  }
  return err(notAcceptable('no audio stream was accepted', { code: 304, text: 'Media type not available' }));
}

function describe(
  index: number,
  local: SessionDescription,
  remote: SessionDescription,
  offered: MediaSection,
  answered: MediaSection,
  role: LocalRole,
): Result<NegotiatedMedia, SdpError> {
  const ours = role === 'offerer' ? offered : answered;
  const theirs = role === 'offerer' ? answered : offered;
  // The answer's order is the answerer's preference; the first codec of ours in it is what flows (RFC 3264 §6.1).
  const codec = firstCodec(answered.rtpFormats, offered.rtpFormats, theirs);
  if (codec === undefined) {
    return err(
      notAcceptable('the answer names no codec we support', { code: 305, text: 'Incompatible media format' }),
    );
  }
  const connection = effectiveConnection(remote, theirs);
  if (connection === undefined) return err(notAcceptable('the far end gave no address for its audio'));
  const held = isHoldAddress(connection);
  let theirDirection = effectiveDirection(remote, theirs);
  // RFC 3264 §8.4: `c=0.0.0.0` means they do not want our media whatever the attribute says.
  if (held) theirDirection = intersect(theirDirection, 'sendonly');
  const ourFlow = toFlow(effectiveDirection(local, ours));
  const theirFlow = toFlow(theirDirection);
  const rtcpMux = offered.rtcpMux && answered.rtcpMux;
  const remoteRtp = { address: connection.address, port: theirs.port };
  const remoteRtcp = rtcpMux
    ? remoteRtp
    : theirs.rtcp === undefined
      ? // RFC 3550 §11: without a=rtcp, RTCP goes to the next port up.
        { address: connection.address, port: theirs.port + 1 }
      : { address: theirs.rtcp.address?.address ?? connection.address, port: theirs.rtcp.port };
  const events = answered.rtpFormats.flatMap((format) => {
    const rtpmap = meaningOf(format, offered.rtpFormats);
    return rtpmap?.encodingName.toLowerCase() === TELEPHONE_EVENT_NAME
      ? [{ payloadType: format.payloadType, clockRate: rtpmap.clockRate }]
      : [];
  });
  const telephoneEvent = events.find((event) => event.clockRate === codec.clockRate) ?? events[0];
  return ok({
    mediaIndex: index,
    remoteRtp,
    remoteRtcp,
    rtcpMux,
    codec,
    ...(telephoneEvent === undefined ? {} : { telephoneEvent }),
    ptime: theirs.ptime ?? DEFAULT_PTIME,
    send: ourFlow.send && theirFlow.receive,
    receive: ourFlow.receive && theirFlow.send,
    heldByRemote: !theirFlow.receive,
  });
}

function firstCodec(
  answered: readonly RtpFormat[],
  offered: readonly RtpFormat[],
  theirs: MediaSection,
): NegotiatedCodec | undefined {
  for (const format of answered) {
    const rtpmap = meaningOf(format, offered);
    if (rtpmap === undefined) continue;
    const codec = codecFor(rtpmap.encodingName, rtpmap.clockRate, rtpmap.channels);
    if (codec === undefined) continue;
    const fmtp = theirs.rtpFormats.find((candidate) => candidate.payloadType === format.payloadType)?.fmtp;
    return {
      payloadType: format.payloadType,
      name: codec.name,
      encodingName: codec.encodingName,
      clockRate: codec.clockRate,
      channels: codec.channels,
      ...(fmtp === undefined ? {} : { fmtp }),
    };
  }
  return undefined;
}

/** An answer may leave out an rtpmap the offer gave; the offer's meaning then holds (RFC 3264 §6.1). */
function meaningOf(format: RtpFormat, offered: readonly RtpFormat[]): RtpMap | undefined {
  return (
    format.rtpmap ??
    offered.find((candidate) => candidate.payloadType === format.payloadType)?.rtpmap ??
    describeStaticPayloadType(format.payloadType)
  );
}
