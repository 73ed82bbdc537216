// The libopus constants this loader uses, with the values of libopus's include/opus_defines.h (the numbers are the
// library's ABI: a request number is passed to opus_encoder_ctl/opus_decoder_ctl as is). Only the requests we call
// are listed; SETs are even and GETs odd there too.

/** Error codes (opus_defines.h, "Error codes"). Every libopus call returns one of these when it fails. */
export const OPUS_OK = 0;
export const OPUS_BAD_ARG = -1;
export const OPUS_BUFFER_TOO_SMALL = -2;
export const OPUS_INTERNAL_ERROR = -3;
export const OPUS_INVALID_PACKET = -4;
export const OPUS_UNIMPLEMENTED = -5;
export const OPUS_INVALID_STATE = -6;
export const OPUS_ALLOC_FAIL = -7;

/** `OPUS_APPLICATION_VOIP`: tuned for speech intelligibility (it also favours SILK, which carries in-band FEC). */
export const OPUS_APPLICATION_VOIP = 2048;

/** Encoder and decoder ctl request numbers (opus_defines.h, "These are the actual Encoder CTL ID numbers"). */
export const OpusRequest = {
  setBitrate: 4002,
  getBitrate: 4003,
  setMaxBandwidth: 4004,
  getMaxBandwidth: 4005,
  setComplexity: 4010,
  getComplexity: 4011,
  setInbandFec: 4012,
  getInbandFec: 4013,
  setPacketLossPercent: 4014,
  getPacketLossPercent: 4015,
  setDtx: 4016,
  getDtx: 4017,
  setSignal: 4024,
  getLastPacketDuration: 4039,
} as const;

/** `OPUS_SIGNAL_VOICE`: a hint for the mode decision. */
export const OPUS_SIGNAL_VOICE = 3001;

/** Audio bandwidths (opus_defines.h `OPUS_BANDWIDTH_*`): 4, 6, 8, 12 and 20 kHz pass-bands. */
export const OpusBandwidth = {
  narrowband: 1101,
  mediumband: 1102,
  wideband: 1103,
  superwideband: 1104,
  fullband: 1105,
} as const;
export type OpusBandwidth = (typeof OpusBandwidth)[keyof typeof OpusBandwidth];

/** Bitrates libopus calls meaningful (OPUS_SET_BITRATE's documentation: 500 to 512000 b/s). */
export const OPUS_MIN_BITRATE = 500;
export const OPUS_MAX_BITRATE = 512_000;

/** The longest frame libopus encodes or decodes at once: 120 ms at 48 kHz. */
export const OPUS_MAX_FRAME_SAMPLES = 5760;
/** The shortest unit of concealment: 2.5 ms at 48 kHz (opus_decode wants frame sizes in multiples of it). */
export const OPUS_MIN_FRAME_SAMPLES = 120;

/** Short names for the error codes, for logs and test messages. */
export function opusErrorName(code: number): string {
  switch (code) {
    case OPUS_BAD_ARG:
      return 'bad-argument';
    case OPUS_BUFFER_TOO_SMALL:
      return 'buffer-too-small';
    case OPUS_INTERNAL_ERROR:
      return 'internal-error';
    case OPUS_INVALID_PACKET:
      return 'invalid-packet';
    case OPUS_UNIMPLEMENTED:
      return 'unimplemented';
    case OPUS_INVALID_STATE:
      return 'invalid-state';
    case OPUS_ALLOC_FAIL:
      return 'allocation-failed';
    default:
      return code >= 0 ? 'ok' : `error ${code}`;
  }
}
