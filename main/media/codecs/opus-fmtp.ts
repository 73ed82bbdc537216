// The far end's Opus fmtp (RFC 7587 §6.1): what it is able and willing to receive, which bounds what we send.
// Unknown parameters are ignored and malformed values read as absent, so a sloppy fmtp never stops a call.

export interface OpusReceiverParameters {
  /** maxaveragebitrate: the most the far end wants to receive on average, bit/s (6000..510000). */
  readonly maxAverageBitrate?: number;
  /** maxplaybackrate: the widest audio the far end will play, Hz (8000..48000). */
  readonly maxPlaybackRate?: number;
  /** useinbandfec=1: its decoder takes advantage of in-band FEC, so spending bits on it is worthwhile. */
  readonly useInbandFec: boolean;
  /** usedtx=1: it prefers discontinuous transmission. */
  readonly useDtx: boolean;
  /** stereo=1: it would like stereo. We always send mono, which any Opus decoder plays (RFC 7587 §3.4). */
  readonly stereo: boolean;
}

/** RFC 7587 §6.1 bounds: values outside them are not meaningful and are treated as absent. */
const BITRATE_RANGE = { min: 6000, max: 510_000 };
const PLAYBACK_RANGE = { min: 8000, max: 48_000 };

function integerIn(value: string | undefined, range: { min: number; max: number }): number | undefined {
  if (value === undefined || !/^\d{1,7}$/.test(value)) return undefined;
  const number = Number(value);
  return number >= range.min && number <= range.max ? number : undefined;
}

/** Reads `a=fmtp:<pt> …`'s parameter list (without the payload type): `key=value` pairs separated by `;`. */
export function parseOpusFmtp(fmtp: string | undefined): OpusReceiverParameters {
  const values = new Map<string, string>();
  for (const part of (fmtp ?? '').split(';')) {
    const [key, value] = part.split('=', 2).map((piece) => piece.trim());
    if (key) values.set(key.toLowerCase(), value ?? '');
  }
  const maxAverageBitrate = integerIn(values.get('maxaveragebitrate'), BITRATE_RANGE);
  const maxPlaybackRate = integerIn(values.get('maxplaybackrate'), PLAYBACK_RANGE);
  return {
    ...(maxAverageBitrate !== undefined ? { maxAverageBitrate } : {}),
    ...(maxPlaybackRate !== undefined ? { maxPlaybackRate } : {}),
    useInbandFec: values.get('useinbandfec') === '1',
    useDtx: values.get('usedtx') === '1',
    stereo: values.get('stereo') === '1',
  };
}
