// The one place the media worker turns a negotiated codec into its encoder and decoder.
import { err, ok, type Result } from '../../contract/result';
import type { NegotiatedCodec } from '../../sdp/negotiated-media';
import type { VoiceDecoder, VoiceEncoder } from '../media-seams';
import { PcmaDecoder, PcmaEncoder, PcmuDecoder, PcmuEncoder } from './g711-codec';
import { OpusDecoder, OpusEncoder, type OpusEncoderOptions } from './opus-codec';

export interface VoiceCodecPair {
  readonly encoder: VoiceEncoder;
  readonly decoder: VoiceDecoder;
}

/** Why a codec could not be made: today only a libopus that would not load (a broken installation). */
export interface VoiceCodecUnavailable {
  readonly codec: NegotiatedCodec['name'];
  readonly reason: string;
}

export type VoiceCodecOptions = Omit<OpusEncoderOptions, 'fmtp'>;

/**
 * Encoder and decoder for `codec` as negotiated: its fmtp is the far end's, so it shapes what we send (RFC 7587
 * §6.1 for Opus). Both halves must be disposed when the stream ends.
 */
export function createVoiceCodec(
  codec: Pick<NegotiatedCodec, 'name' | 'fmtp'>,
  options: VoiceCodecOptions = {},
): Result<VoiceCodecPair, VoiceCodecUnavailable> {
  switch (codec.name) {
    case 'pcmu':
      return ok({ encoder: new PcmuEncoder(), decoder: new PcmuDecoder() });
    case 'pcma':
      return ok({ encoder: new PcmaEncoder(), decoder: new PcmaDecoder() });
    case 'opus': {
      let encoder: OpusEncoder | undefined;
      try {
        encoder = new OpusEncoder({ ...options, ...(codec.fmtp !== undefined ? { fmtp: codec.fmtp } : {}) });
        return ok({ encoder, decoder: new OpusDecoder(options.runtime) });
      } catch (error) {
        encoder?.dispose();
        return err({ codec: codec.name, reason: error instanceof Error ? error.message : String(error) });
      }
    }
  }
}
