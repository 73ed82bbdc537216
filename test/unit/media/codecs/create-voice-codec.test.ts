// The factory the media worker calls with the negotiated codec.
import { describe, expect, it } from 'vitest';
import { createVoiceCodec } from '../../../../main/media/codecs/create-voice-codec';
import { OpusEncoder } from '../../../../main/media/codecs/opus-codec';
import { OpusRuntime, loadOpus } from '../../../../native/opus/opus-wasm';

describe('createVoiceCodec', () => {
  it('makes the pair for each codec we negotiate, at its RTP clock', () => {
    for (const [name, clockRate] of [
      ['opus', 48_000],
      ['pcmu', 8000],
      ['pcma', 8000],
    ] as const) {
      const made = createVoiceCodec({ name });
      if (!made.ok) throw new Error(made.error.reason);
      expect(made.value.encoder.codec).toBe(name);
      expect(made.value.decoder.codec).toBe(name);
      expect(made.value.encoder.clockRate).toBe(clockRate);
      expect(made.value.decoder.decode(made.value.encoder.encode(new Int16Array(960))).length).toBe(960);
      made.value.encoder.dispose();
      made.value.decoder.dispose();
    }
  });

  it("hands the far end's fmtp to the Opus encoder", () => {
    const made = createVoiceCodec({ name: 'opus', fmtp: 'maxaveragebitrate=16000;useinbandfec=1' });
    if (!made.ok) throw new Error(made.error.reason);
    const encoder = made.value.encoder as OpusEncoder;
    expect(encoder.settings()).toMatchObject({ bitrate: 16_000, inbandFec: true });
    expect(typeof made.value.decoder.recoverFromNext).toBe('function');
    encoder.dispose();
    made.value.decoder.dispose();
  });

  it('reports an Opus that cannot be built as an error result, not an exception', () => {
    const real = loadOpus();
    // A libopus whose malloc always fails, as a module out of memory would.
    const broken = new OpusRuntime({ ...real.exports, malloc: () => 0 }, 'baseline');
    const made = createVoiceCodec({ name: 'opus' }, { runtime: broken });
    expect(made.ok).toBe(false);
    if (!made.ok) {
      expect(made.error.codec).toBe('opus');
      expect(made.error.reason).toMatch(/^libopus wasm: malloc\(\d+\) failed$/);
    }
  });
});
