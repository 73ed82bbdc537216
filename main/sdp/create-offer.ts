// Our offer (RFC 3264 §5): one audio m-line with our codecs in the account's order, then telephone-event for each
// clock rate in use (RFC 4733), ptime 20, rtcp-mux offered (RFC 5761 §5.1.1) with `a=rtcp` (RFC 3605) naming
// the separate RTCP port the far end falls back to when it does not mux. Also the hold/resume directions of
// RFC 6337 §5.
import {
  AUDIO_CODECS,
  FIRST_DYNAMIC_PAYLOAD_TYPE,
  LAST_DYNAMIC_PAYLOAD_TYPE,
  TELEPHONE_EVENT_FMTP,
  TELEPHONE_EVENT_NAME,
  normaliseCodecOrder,
  type CodecName,
} from './codecs';
import { fromFlow, toFlow } from './direction';
import type { SessionBody } from './local-session-description';
import type { ConnectionAddress, Direction, MediaSection, RtpFormat, RtpMap } from './session-description';

export const DEFAULT_PTIME = 20;

export interface OfferOptions {
  /** Where we receive RTP. */
  readonly address: ConnectionAddress;
  readonly port: number;
  /** Where we receive RTCP when the far end does not mux; RFC 3550 §11's port + 1 by default. */
  readonly rtcpPort?: number;
  /** The account's codec preference; the default order when absent. */
  readonly codecs?: readonly CodecName[];
  readonly direction?: Direction;
  readonly ptime?: number;
  /**
   * The audio m-line of the session so far (ours or theirs). RFC 3264 §8.3.2: a later offer must not change what a
   * dynamic payload type number means, so numbers already in use for our codecs are kept.
   */
  readonly previous?: MediaSection;
}

export function createOffer(options: OfferOptions): SessionBody {
  const order = normaliseCodecOrder(options.codecs);
  const allocator = new PayloadTypeAllocator(options.previous);
  const formats: RtpFormat[] = [];
  for (const name of order) {
    const codec = AUDIO_CODECS[name];
    const rtpmap: RtpMap = {
      encodingName: codec.encodingName,
      clockRate: codec.clockRate,
      channels: codec.channels,
    };
    const payloadType = codec.staticPayloadType ?? allocator.take(rtpmap);
    formats.push({ payloadType, rtpmap, ...(codec.fmtp === undefined ? {} : { fmtp: codec.fmtp }) });
  }
  // One telephone-event per clock rate in use, since RFC 4733 events run at the clock of the audio they go with;
  // and always /8000, which many phones (baresip 1.0 among them) offer and accept beside Opus as their only one:
  // without it an Opus-only offer would agree on no DTMF at all with them.
  const rates = [...new Set([...order.map((name) => AUDIO_CODECS[name].clockRate), 8000])];
  for (const clockRate of rates) {
    const rtpmap: RtpMap = { encodingName: TELEPHONE_EVENT_NAME, clockRate, channels: 1 };
    formats.push({ payloadType: allocator.take(rtpmap), rtpmap, fmtp: TELEPHONE_EVENT_FMTP });
  }
  const media: MediaSection = {
    type: 'audio',
    port: options.port,
    protocol: 'RTP/AVP',
    formats: formats.map((format) => String(format.payloadType)),
    rtpFormats: formats,
    rtcp: { port: options.rtcpPort ?? options.port + 1 },
    rtcpMux: true,
    ptime: options.ptime ?? DEFAULT_PTIME,
    direction: options.direction ?? 'sendrecv',
  };
  return { sessionName: '-', connection: options.address, media: [media] };
}

/**
 * RFC 6337 §5: to hold, stop receiving: sendrecv becomes sendonly, and recvonly (the far end holds us) becomes
 * inactive. `current` is the direction we last agreed, seen from our side.
 */
export function holdDirection(current: Direction): Direction {
  return fromFlow({ send: toFlow(current).send, receive: false });
}

/** RFC 6337 §5: resuming restores receiving: sendonly → sendrecv, inactive → recvonly (they still hold us). */
export function resumeDirection(current: Direction): Direction {
  return fromFlow({ send: toFlow(current).send, receive: true });
}

class PayloadTypeAllocator {
  readonly #reserved = new Map<string, number>();
  readonly #used = new Set<number>();
  #next = FIRST_DYNAMIC_PAYLOAD_TYPE;

  constructor(previous: MediaSection | undefined) {
    for (const format of previous?.rtpFormats ?? []) {
      if (format.rtpmap === undefined || format.payloadType < FIRST_DYNAMIC_PAYLOAD_TYPE) continue;
      const key = keyOf(format.rtpmap);
      if (!this.#reserved.has(key)) this.#reserved.set(key, format.payloadType);
      this.#used.add(format.payloadType);
    }
  }

  take(rtpmap: RtpMap): number {
    const kept = this.#reserved.get(keyOf(rtpmap));
    if (kept !== undefined) return kept;
    while (this.#used.has(this.#next) && this.#next < LAST_DYNAMIC_PAYLOAD_TYPE) this.#next += 1;
    const payloadType = this.#next;
    this.#used.add(payloadType);
    return payloadType;
  }
}

function keyOf(rtpmap: RtpMap): string {
  return `${rtpmap.encodingName.toLowerCase()}/${rtpmap.clockRate}/${rtpmap.channels}`;
}
