// STAND-IN: the one place where the media worker's pieces are chosen. Until the real RTP session (main/media/rtp/,
// main/media/dtmf/), codecs (main/media/codecs/) and jitter buffer (main/media/jitter/) are merged, the worker runs
// on the small stand-ins beside this file. Swapping them is a change to this object only.
import { createSimpleG711Codec } from './simple-g711-codec';
import { SimpleJitterBuffer } from './simple-jitter-buffer';
import { SimpleRtpSession } from './simple-rtp-session';
import type { StreamPieces } from './stream-pieces';

export const standInPieces: StreamPieces = {
  createCodec: (codec) => createSimpleG711Codec(codec),
  createJitterBuffer: (decoder) => new SimpleJitterBuffer(decoder),
  createRtp: (options) => new SimpleRtpSession(options),
};
