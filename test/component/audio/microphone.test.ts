import { describe, expect, it } from 'vitest';
import { meterLevel } from '../../../renderer/src/lib/audio/audio-tools';
import { microphoneConstraints, openMicrophone } from '../../../renderer/src/lib/audio/microphone';
import { FakeMediaDevices, requestedDevice } from '../support/fake-media-devices';

const choice = { deviceId: 'm1', echoCancellation: true, noiseSuppression: false, autoGainControl: true };

describe('microphoneConstraints', () => {
  it('asks for the exact device, the three switches, mono and 48 kHz', () => {
    expect(microphoneConstraints(choice, true)).toEqual({
      audio: {
        deviceId: { exact: 'm1' },
        echoCancellation: true,
        noiseSuppression: false,
        autoGainControl: true,
        channelCount: { ideal: 1 },
        sampleRate: { ideal: 48_000 },
      },
      video: false,
    });
  });

  it('leaves the device to the system for the default, or when falling back', () => {
    expect(microphoneConstraints({ ...choice, deviceId: '' }, true).audio).not.toHaveProperty('deviceId');
    expect(microphoneConstraints(choice, false).audio).not.toHaveProperty('deviceId');
  });
});

describe('openMicrophone', () => {
  async function outcomeFor(answer: (constraints: MediaStreamConstraints) => string, deviceId = 'm1') {
    const media = new FakeMediaDevices();
    media.answer = answer;
    const outcome = await openMicrophone((c) => media.getUserMedia(c), { ...choice, deviceId });
    return { outcome, asked: media.requests.map(requestedDevice) };
  }

  it.each(['NotAllowedError', 'SecurityError'])('%s is a refusal, asked once', async (name) => {
    expect(await outcomeFor(() => name)).toEqual({ outcome: { kind: 'denied' }, asked: ['m1'] });
  });

  it('a refusal on the fallback is still a refusal', async () => {
    const { outcome, asked } = await outcomeFor((c) =>
      requestedDevice(c) ? 'NotFoundError' : 'NotAllowedError',
    );
    expect(outcome).toEqual({ kind: 'denied' });
    expect(asked).toEqual(['m1', null]);
  });

  it('no device at all: missing, after trying the default', async () => {
    expect(await outcomeFor(() => 'NotFoundError')).toEqual({
      outcome: { kind: 'missing' },
      asked: ['m1', null],
    });
    expect(await outcomeFor(() => 'NotFoundError', '')).toEqual({
      outcome: { kind: 'missing' },
      asked: [null],
    });
  });

  it('anything else fails with the browser’s words and is not retried', async () => {
    expect(await outcomeFor(() => 'NotReadableError')).toEqual({
      outcome: { kind: 'failed', message: 'fake NotReadableError' },
      asked: ['m1'],
    });
  });

  it('a page without media devices fails with a reason', async () => {
    expect(await openMicrophone(null, choice)).toEqual({
      kind: 'failed',
      message: 'This page has no access to media devices.',
    });
  });
});

describe('meterLevel', () => {
  it('maps −60..0 dBFS RMS onto 0..1', () => {
    expect(meterLevel(new Float32Array(128))).toBe(0);
    expect(meterLevel(new Float32Array(0))).toBe(0);
    expect(meterLevel(new Float32Array(128).fill(1))).toBe(1);
    expect(meterLevel(new Float32Array(128).fill(0.001))).toBeCloseTo(0, 5); // −60 dB
    expect(meterLevel(new Float32Array(128).fill(0.1))).toBeCloseTo(2 / 3, 5); // −20 dB
    expect(meterLevel(new Float32Array(128).fill(1e-5))).toBe(0);
    expect(meterLevel(new Float32Array(128).fill(4))).toBe(1);
  });
});
