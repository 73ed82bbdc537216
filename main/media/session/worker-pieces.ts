// The one place where the media worker's pieces are chosen: the RTP session of main/media/rtp/ (RTCP, RFC 4733
// DTMF) behind the stream's StreamRtp, the adaptive jitter buffer of main/media/jitter/, and the voice codecs.
// Codecs: STAND-IN (G.711 only, simple-g711-codec.ts) until main/media/codecs/ is merged.
import { AdaptiveJitterBuffer } from '../jitter/jitter-buffer';
import { RtpSessionStream } from './rtp-session-stream';
import { createSimpleG711Codec } from './simple-g711-codec';
import type { StreamPieces } from './stream-pieces';

export const workerPieces: StreamPieces = {
  createCodec: (codec) => createSimpleG711Codec(codec),
  createJitterBuffer: (decoder) => new AdaptiveJitterBuffer({ decoder }),
  createRtp: (options) => new RtpSessionStream(options),
};
