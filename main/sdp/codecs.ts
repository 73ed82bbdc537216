// The audio codecs this phone speaks and how they are written in SDP. Static payload types come from RFC 3551 §6;
// everything else is dynamic and numbered from 96 up (RFC 3551 §3).

export type CodecName = 'opus' | 'pcmu' | 'pcma';

export interface AudioCodec {
  readonly name: CodecName;
  /** The rtpmap encoding name, compared case-insensitively (RFC 8866 §6.6). */
  readonly encodingName: string;
  readonly clockRate: number;
  readonly channels: number;
  /** RFC 3551 static payload type, when the codec has one. */
  readonly staticPayloadType?: number;
  /** The fmtp we offer and answer with. */
  readonly fmtp?: string;
}

/**
 * RFC 7587 §7: Opus is always `opus/48000/2` whatever is actually sent. `useinbandfec=1` tells the far end we can
 * use in-band FEC (our jitter buffer decodes it), 40 kbit/s is ample for wideband speech with FEC headroom, and
 * `minptime=10` is what Opus's shortest useful frame pairs with.
 */
export const OPUS: AudioCodec = {
  name: 'opus',
  encodingName: 'opus',
  clockRate: 48_000,
  channels: 2,
  fmtp: 'minptime=10;useinbandfec=1;maxaveragebitrate=40000',
};
export const PCMU: AudioCodec = {
  name: 'pcmu',
  encodingName: 'PCMU',
  clockRate: 8000,
  channels: 1,
  staticPayloadType: 0,
};
export const PCMA: AudioCodec = {
  name: 'pcma',
  encodingName: 'PCMA',
  clockRate: 8000,
  channels: 1,
  staticPayloadType: 8,
};

export const AUDIO_CODECS: Readonly<Record<CodecName, AudioCodec>> = { opus: OPUS, pcmu: PCMU, pcma: PCMA };

/** The order used when an account does not set one: wideband first, then G.711 as every PSTN gateway has it. */
export const DEFAULT_CODEC_ORDER: readonly CodecName[] = ['opus', 'pcmu', 'pcma'];

/** RFC 4733 §3.2: events 0-15 are the DTMF digits, 16 is flash; that is all we send or understand. */
export const TELEPHONE_EVENT_NAME = 'telephone-event';
export const TELEPHONE_EVENT_FMTP = '0-16';

export const FIRST_DYNAMIC_PAYLOAD_TYPE = 96;
export const LAST_DYNAMIC_PAYLOAD_TYPE = 127;

/** What an rtpmap (or a static payload type without one) means, with RFC 3551's table filling the gap. */
export function describeStaticPayloadType(
  payloadType: number,
): { encodingName: string; clockRate: number; channels: number } | undefined {
  if (payloadType === 0) return { encodingName: 'PCMU', clockRate: 8000, channels: 1 };
  if (payloadType === 8) return { encodingName: 'PCMA', clockRate: 8000, channels: 1 };
  return undefined;
}

/** The codec an rtpmap names, if it is one of ours. Opus must say 2 channels (RFC 7587 §7). */
export function codecFor(encodingName: string, clockRate: number, channels: number): AudioCodec | undefined {
  const name = encodingName.toLowerCase();
  for (const codec of Object.values(AUDIO_CODECS)) {
    if (
      codec.encodingName.toLowerCase() === name &&
      codec.clockRate === clockRate &&
      codec.channels === channels
    ) {
      return codec;
    }
  }
  return undefined;
}

/** Removes duplicates and keeps the caller's order; an empty order falls back to the default one. */
export function normaliseCodecOrder(order: readonly CodecName[] | undefined): readonly CodecName[] {
  const unique = [...new Set(order ?? [])].filter((name) => name in AUDIO_CODECS);
  return unique.length > 0 ? unique : DEFAULT_CODEC_ORDER;
}
