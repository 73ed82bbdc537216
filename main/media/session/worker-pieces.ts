// The one place where the media worker's pieces are chosen: the voice codecs of main/media/codecs/ (Opus through
// WebAssembly, G.711), the adaptive jitter buffer of main/media/jitter/, and the RTP session of main/media/rtp/
// (RTCP, RFC 4733 DTMF) behind the stream's StreamRtp.
import { createVoiceCodec } from '../codecs/create-voice-codec';
import { AdaptiveJitterBuffer } from '../jitter/jitter-buffer';
import { RtpSessionStream } from './rtp-session-stream';
import type { StreamPieces } from './stream-pieces';

export const workerPieces: StreamPieces = {
  createCodec: (codec) => {
    const pair = createVoiceCodec(codec);
    return pair.ok ? pair : { ok: false, error: `${pair.error.codec} is unavailable: ${pair.error.reason}` };
  },
  createJitterBuffer: (decoder) => new AdaptiveJitterBuffer({ decoder }),
  createRtp: (options) => new RtpSessionStream(options),
};
