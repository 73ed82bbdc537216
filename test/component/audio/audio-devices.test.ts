import { describe, expect, it } from 'vitest';
import { microphone, speaker } from '../support/fake-media-devices';
import { startAudioApp } from './audio-state';

const desk = microphone('m-desk', 'Desk microphone');
const headset = microphone('m-headset', 'USB headset');
const monitor = speaker('s-monitor', 'Monitor speakers');
const earpiece = speaker('s-headset', 'USB headset');
const pseudo = [microphone('default', 'Default - Desk'), speaker('communications', 'Communications')];

describe('AudioDevicesState', () => {
  it('lists microphones and speakers, leaving out the browser’s own "default" entries', async () => {
    const { app } = await startAudioApp({ devices: [...pseudo, desk, headset, monitor] });
    expect(app.audioDevices.microphones).toEqual([
      { id: 'm-desk', label: 'Desk microphone' },
      { id: 'm-headset', label: 'USB headset' },
    ]);
    expect(app.audioDevices.speakers).toEqual([{ id: 's-monitor', label: 'Monitor speakers' }]);
  });

  it('names devices whose labels the browser still hides', async () => {
    const { app } = await startAudioApp({
      devices: [microphone('m1', ''), microphone('m2', ''), speaker('s1', '')],
    });
    expect(app.audioDevices.microphones.map((device) => device.label)).toEqual([
      'Microphone 1',
      'Microphone 2',
    ]);
    expect(app.audioDevices.speakers.map((device) => device.label)).toEqual(['Speaker 1']);
  });

  it('uses the chosen devices while they are connected', async () => {
    const { app } = await startAudioApp({
      devices: [desk, headset, monitor, earpiece],
      settings: { audioInputId: 'm-headset', audioOutputId: 's-headset', audioRingerId: 's-monitor' },
    });
    expect(app.audioDevices.microphoneId).toBe('m-headset');
    expect(app.audioDevices.speakerSinkId).toBe('s-headset');
    expect(app.audioDevices.ringerSinkId).toBe('s-monitor');
    expect(app.audioDevices.notices).toEqual([]);
  });

  it('falls back to the default when a chosen device is unplugged, says so, and takes it back when it returns', async () => {
    const { app, media } = await startAudioApp({
      devices: [desk, headset, monitor, earpiece],
      settings: { audioInputId: 'm-headset', audioOutputId: 's-headset', audioRingerId: 's-headset' },
    });
    let changes = 0;
    app.audioDevices.onChange(() => changes++);

    media.change([desk, monitor]);
    await vitestFlush();
    expect(app.audioDevices.microphoneId).toBe('');
    expect(app.audioDevices.speakerSinkId).toBe('');
    expect(app.audioDevices.ringerSinkId).toBe('');
    expect(app.audioDevices.notices.map((notice) => notice.text)).toEqual([
      'The microphone “USB headset” is not connected; the default microphone is used until it is back.',
      'The speaker “USB headset” is not connected; the default speaker is used until it is back.',
      'The ringer “USB headset” is not connected; the default speaker is used until it is back.',
    ]);
    expect(changes).toBe(1);
    // The choice itself is kept.
    expect(app.settings.value?.audioInputId).toBe('m-headset');

    media.change([desk, headset, monitor, earpiece]);
    await vitestFlush();
    expect(app.audioDevices.microphoneId).toBe('m-headset');
    expect(app.audioDevices.ringerSinkId).toBe('s-headset');
    expect(app.audioDevices.notices).toEqual([]);
    expect(changes).toBe(2);
  });

  it('plays on the default output, without a notice, where the output cannot be chosen', async () => {
    const { app } = await startAudioApp({
      devices: [monitor],
      canChooseOutput: false,
      settings: { audioOutputId: 's-monitor', audioRingerId: 's-gone' },
    });
    expect(app.audioDevices.speakerSinkId).toBe('');
    expect(app.audioDevices.ringerSinkId).toBe('');
    expect(app.audioDevices.notices).toEqual([]);
  });

  it('stores a choice through the engine, so every window follows it', async () => {
    const { app, engine } = await startAudioApp({ devices: [desk, monitor] });
    let changes = 0;
    app.audioDevices.onChange(() => changes++);
    expect(await app.audioDevices.choose('ringer', 's-monitor')).toBe(true);
    expect(engine.settings.audioRingerId).toBe('s-monitor');
    expect(app.audioDevices.ringerSinkId).toBe('s-monitor');
    expect(changes).toBeGreaterThanOrEqual(1);
  });

  it('a choice made in another window reaches this one through settings.changed', async () => {
    const { app, engine } = await startAudioApp({ devices: [desk, monitor] });
    let changes = 0;
    app.audioDevices.onChange(() => changes++);
    engine.emit('settings.changed', { ...engine.settings, audioOutputId: 's-monitor' });
    expect(app.audioDevices.speakerSinkId).toBe('s-monitor');
    expect(changes).toBe(1);
  });

  it('stops listening for devicechange when the app stops', async () => {
    const { media, stop } = await startAudioApp({ devices: [desk] });
    expect(media.listenerCount).toBe(1);
    stop();
    expect(media.listenerCount).toBe(0);
  });
});

/** Lets the devicechange's enumerateDevices settle. */
async function vitestFlush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
