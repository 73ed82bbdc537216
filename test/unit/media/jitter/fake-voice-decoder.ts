// A VoiceDecoder for jitter-buffer tests whose output says where it came from. A payload carries the sender's
// frame index, whether it is speech, and how many 48 kHz samples it holds; decoding fills the frame with SPEECH or
// with silence, concealment with CONCEALED, FEC recovery with RECOVERED, and every call is logged.
import type { VoiceDecoder } from '../../../../main/media/media-seams';

export const SPEECH = 8_000;
export const CONCEALED = 1_111;
export const RECOVERED = 2_222;
export const MAX_PACKET_SAMPLES = 5_760;

export function fakePayload(index: number, speech: boolean, samples: number): Uint8Array {
  const payload = new Uint8Array(7);
  const view = new DataView(payload.buffer);
  view.setUint32(0, index);
  view.setUint8(4, speech ? 1 : 0);
  view.setUint16(5, samples);
  return payload;
}

export function payloadIndex(payload: Uint8Array): number {
  return payload.length >= 4 ? new DataView(payload.buffer, payload.byteOffset).getUint32(0) : -1;
}

export class FakeVoiceDecoder implements VoiceDecoder {
  readonly codec = 'opus' as const;
  readonly clockRate: number;
  readonly decoded: number[] = [];
  readonly concealCalls: number[] = [];
  readonly recoveredFrom: number[] = [];
  readonly recoverFromNext?: (nextPayload: Uint8Array, samples: number) => Int16Array | null;

  constructor(options: { clockRate?: number; fec?: boolean } = {}) {
    this.clockRate = options.clockRate ?? 48_000;
    if (options.fec === true) {
      this.recoverFromNext = (nextPayload, samples) => {
        this.recoveredFrom.push(payloadIndex(nextPayload));
        return new Int16Array(samples).fill(RECOVERED);
      };
    }
  }

  decode(payload: Uint8Array): Int16Array {
    this.decoded.push(payloadIndex(payload));
    if (payload.length < 7) return new Int16Array(0);
    const view = new DataView(payload.buffer, payload.byteOffset);
    // No codec makes more than 120 ms from one packet (Opus's longest frame, RFC 6716 §2.1.4).
    return new Int16Array(Math.min(view.getUint16(5), MAX_PACKET_SAMPLES)).fill(
      view.getUint8(4) === 1 ? SPEECH : 0,
    );
  }

  conceal(samples: number): Int16Array {
    this.concealCalls.push(samples);
    return new Int16Array(samples).fill(CONCEALED);
  }

  dispose(): void {}
}
