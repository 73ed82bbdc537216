// Our answer to an offer, RFC 3264 §6: one m-line per offered m-line, in order. The first usable audio stream is
// accepted with the offered payload types we support, in our preference order (the offer's numbers kept, §6.1),
// plus telephone-event at the clock rates we kept; every other stream is refused with port 0 and its format list
// repeated. No usable audio at all → 488 with a Warning (RFC 3261 §20.43).
import { err, ok, type Result } from '../contract/result';
import {
  AUDIO_CODECS,
  TELEPHONE_EVENT_FMTP,
  TELEPHONE_EVENT_NAME,
  describeStaticPayloadType,
  normaliseCodecOrder,
  type CodecName,
} from './codecs';
import { DEFAULT_PTIME } from './create-offer';
import { intersect, mirror } from './direction';
import type { SessionBody } from './local-session-description';
import { notAcceptable, type SdpError } from './sdp-error';
import {
  effectiveConnection,
  effectiveDirection,
  isHoldAddress,
  type ConnectionAddress,
  type Direction,
  type MediaSection,
  type RtpFormat,
  type SessionDescription,
} from './session-description';

export interface AnswerOptions {
  readonly address: ConnectionAddress;
  readonly port: number;
  /** Where we receive RTCP when it is not muxed; port + 1 by default. */
  readonly rtcpPort?: number;
  readonly codecs?: readonly CodecName[];
  /** What we want, before the offer narrows it: sendrecv, or sendonly while we hold the call (RFC 6337 §5). */
  readonly direction?: Direction;
  readonly ptime?: number;
}

/** Protocols we can carry: plain RTP with the audio/video profile or its feedback variant (RFC 3551, RFC 4585). */
const SUPPORTED_PROTOCOLS = new Set(['RTP/AVP', 'RTP/AVPF']);

export function createAnswer(
  offer: SessionDescription,
  options: AnswerOptions,
): Result<SessionBody, SdpError> {
  let accepted = false;
  let audioOffered = false;
  const media: MediaSection[] = [];
  for (const offered of offer.media) {
    const usableAudio = offered.type === 'audio' && offered.port !== 0;
    if (usableAudio) audioOffered = true;
    const answered = !accepted && usableAudio ? answerAudio(offer, offered, options) : undefined;
    if (answered === undefined) {
      media.push(rejected(offered));
    } else {
      accepted = true;
      media.push(answered);
    }
  }
  if (!accepted) {
    return err(
      audioOffered
        ? notAcceptable('no codec in the offer is one we support', {
            code: 305,
            text: 'Incompatible media format',
          })
        : notAcceptable('the offer has no audio stream', { code: 304, text: 'Media type not available' }),
    );
  }
  return ok({ sessionName: '-', connection: options.address, media });
}

function answerAudio(
  offer: SessionDescription,
  offered: MediaSection,
  options: AnswerOptions,
): MediaSection | undefined {
  // SRTP (RTP/SAVP…) would need keys we do not negotiate; RFC 3264 §6 lets us refuse the stream instead.
  if (!SUPPORTED_PROTOCOLS.has(offered.protocol)) return undefined;
  const formats = commonFormats(offered.rtpFormats, normaliseCodecOrder(options.codecs));
  if (formats.length === 0) return undefined;
  const rtcpMux = offered.rtcpMux;
  return {
    type: 'audio',
    port: options.port,
    protocol: offered.protocol,
    formats: formats.map((format) => String(format.payloadType)),
    rtpFormats: formats,
    // Accepting mux (RFC 5761 §5.1.1; only ever when offered, RFC 8035) puts RTCP on the RTP port: no a=rtcp then.
    ...(rtcpMux ? {} : { rtcp: { port: options.rtcpPort ?? options.port + 1 } }),
    rtcpMux,
    ptime: options.ptime ?? DEFAULT_PTIME,
    direction: answerDirection(offer, offered, options.direction ?? 'sendrecv'),
  };
}

/**
 * RFC 3264 §6.1: the answer's direction mirrors the offer's and may only narrow it. An offer with the RFC 2543
 * hold address (`c=0.0.0.0`) cannot receive, so it counts as sendonly at most (RFC 3264 §8.4).
 */
export function answerDirection(
  offer: SessionDescription,
  offered: MediaSection,
  wanted: Direction,
): Direction {
  let theirs = effectiveDirection(offer, offered);
  if (isHoldAddress(effectiveConnection(offer, offered))) theirs = intersect(theirs, 'sendonly');
  return intersect(mirror(theirs), wanted);
}

/**
 * The offered payload types we support, in our order, with the offer's numbers. Our fmtp goes out for the codecs
 * we know (it states what we want to receive, RFC 7587 §7). telephone-event is kept for each clock rate of a codec
 * we kept (RFC 4733), with the range we handle.
 */
function commonFormats(offered: readonly RtpFormat[], order: readonly CodecName[]): RtpFormat[] {
  const chosen: RtpFormat[] = [];
  for (const name of order) {
    const codec = AUDIO_CODECS[name];
    const match = offered.find((format) => {
      const meaning = format.rtpmap ?? describeStaticPayloadType(format.payloadType);
      return (
        meaning !== undefined &&
        meaning.encodingName.toLowerCase() === codec.encodingName.toLowerCase() &&
        meaning.clockRate === codec.clockRate &&
        meaning.channels === codec.channels
      );
    });
    if (match === undefined) continue;
    chosen.push({
      payloadType: match.payloadType,
      rtpmap: { encodingName: codec.encodingName, clockRate: codec.clockRate, channels: codec.channels },
      ...(codec.fmtp === undefined ? {} : { fmtp: codec.fmtp }),
    });
  }
  if (chosen.length === 0) return [];
  const rates = new Set(chosen.map((format) => format.rtpmap?.clockRate));
  const offeredEvents = offered.filter(
    (format) => format.rtpmap?.encodingName.toLowerCase() === TELEPHONE_EVENT_NAME,
  );
  const fitting = offeredEvents.filter((format) => rates.has(format.rtpmap?.clockRate));
  // Some phones offer only telephone-event/8000 beside Opus; DTMF at another clock rate beats none.
  const kept = fitting.length > 0 ? fitting : offeredEvents.slice(0, 1);
  const events: RtpFormat[] = [];
  for (const format of kept) {
    const clockRate = format.rtpmap?.clockRate ?? 8000;
    if (events.some((event) => event.rtpmap?.clockRate === clockRate)) continue;
    events.push({
      payloadType: format.payloadType,
      rtpmap: { encodingName: TELEPHONE_EVENT_NAME, clockRate, channels: 1 },
      fmtp: TELEPHONE_EVENT_FMTP,
    });
  }
  return [...chosen, ...events];
}

/** RFC 3264 §6: a refused stream keeps its type, protocol and formats, with port 0 and nothing else. */
function rejected(offered: MediaSection): MediaSection {
  return {
    type: offered.type,
    port: 0,
    protocol: offered.protocol,
    formats: offered.formats,
    rtpFormats: [],
    rtcpMux: false,
  };
}
