import { describe, expect, it } from 'vitest';
import { microphoneDeniedText } from '../../../renderer/src/lib/audio/audio-text';
import { microphone, requestedDevice, speaker } from '../support/fake-media-devices';
import { FakeChannel, startAudioApp } from './audio-state';

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

const desk = microphone('m-desk', 'Desk microphone');
const headset = microphone('m-headset', 'USB headset');
const monitor = speaker('s-monitor', 'Monitor speakers');

describe('WindowAudio', () => {
  it('opens the chosen microphone with the capture switches from the settings and plays on the chosen speaker', async () => {
    const { app, media, sessions } = await startAudioApp({
      devices: [desk, headset, monitor],
      settings: {
        audioInputId: 'm-headset',
        audioOutputId: 's-monitor',
        audioEchoCancellation: true,
        audioNoiseSuppression: false,
        audioAutoGainControl: false,
      },
    });
    const channel = new FakeChannel('c1');
    app.callAudio.attach(channel);
    expect(app.callAudio.status).toBe('starting');
    expect(app.callAudio.callId).toBe('c1');
    await settle();
    expect(media.requests).toHaveLength(1);
    expect(requestedDevice(media.requests[0]!)).toBe('m-headset');
    expect(media.requests[0]!.audio).toMatchObject({
      echoCancellation: true,
      noiseSuppression: false,
      autoGainControl: false,
    });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.channel).toBe(channel);
    expect(sessions[0]!.microphone).toBe(media.streams[0]);
    expect(sessions[0]!.sinkIds).toEqual(['s-monitor']);
    expect(app.callAudio.status).toBe('live');
    expect(app.callAudio.problem).toBeNull();
  });

  it('a denied microphone leaves the call receive-only instead of failing it', async () => {
    const { app, media, sessions } = await startAudioApp({ devices: [desk] });
    media.answer = () => 'NotAllowedError';
    app.callAudio.attach(new FakeChannel('c1'));
    await settle();
    expect(app.callAudio.status).toBe('receive-only');
    expect(app.callAudio.problem).toEqual({ kind: 'denied' });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.microphone).toBeNull();
  });

  it('no microphone at all: receive-only, said as missing', async () => {
    const { app, media } = await startAudioApp();
    media.answer = () => 'NotFoundError';
    app.callAudio.attach(new FakeChannel('c1'));
    await settle();
    expect(app.callAudio.status).toBe('receive-only');
    expect(app.callAudio.problem).toEqual({ kind: 'missing' });
  });

  it('a chosen microphone that vanished between the list and the call falls back to the default', async () => {
    const { app, media } = await startAudioApp({
      devices: [desk, headset],
      settings: { audioInputId: 'm-headset' },
    });
    // Still listed, but gone by the time getUserMedia asks for it.
    media.answer = (constraints) =>
      requestedDevice(constraints) === 'm-headset' ? 'OverconstrainedError' : 'open';
    app.callAudio.attach(new FakeChannel('c1'));
    await settle();
    expect(media.requests.map(requestedDevice)).toEqual(['m-headset', null]);
    expect(app.callAudio.status).toBe('live');
    expect(app.callAudio.microphoneFellBack).toBe(true);
  });

  it('a detach while the microphone is still opening lets it go and builds no session', async () => {
    const { app, media, sessions } = await startAudioApp({ devices: [desk] });
    let open!: () => void;
    media.gate = new Promise<void>((resolve) => (open = resolve));
    app.callAudio.attach(new FakeChannel('c1'));
    app.callAudio.detach();
    expect(app.callAudio.status).toBe('off');
    open();
    await settle();
    expect(media.streams[0]!.stopped).toBe(true);
    expect(sessions).toHaveLength(0);
    expect(app.callAudio.status).toBe('off');
  });

  it('attaching another call replaces the first: its session closes and its microphone stops', async () => {
    const { app, media, sessions } = await startAudioApp({ devices: [desk] });
    app.callAudio.attach(new FakeChannel('c1'));
    await settle();
    app.callAudio.attach(new FakeChannel('c2'));
    await settle();
    expect(sessions.map((session) => session.closed)).toEqual([true, false]);
    expect(media.streams.map((stream) => stream.stopped)).toEqual([true, false]);
    expect(app.callAudio.callId).toBe('c2');
  });

  it('lets go of everything when the channel closes (the call ended, or another window took it)', async () => {
    const { app, media, sessions } = await startAudioApp({ devices: [desk] });
    const channel = new FakeChannel('c1');
    app.callAudio.attach(channel);
    await settle();
    channel.close('replaced');
    expect(sessions[0]!.closed).toBe(true);
    expect(media.streams[0]!.stopped).toBe(true);
    expect(app.callAudio.status).toBe('off');
    expect(app.callAudio.callId).toBeNull();
  });

  it('moves a live call to the new speaker when the choice changes, and says when it is refused', async () => {
    const { app, sessions } = await startAudioApp({ devices: [desk, monitor], sinkApplied: false });
    app.callAudio.attach(new FakeChannel('c1'));
    await settle();
    expect(app.callAudio.speakerRefused).toBe(false); // the default needs no choosing
    await app.audioDevices.choose('speaker', 's-monitor');
    await settle();
    expect(sessions[0]!.sinkIds).toEqual(['', 's-monitor']);
    expect(app.callAudio.speakerRefused).toBe(true);
  });

  it('forgets the last call’s microphone problem when the next call attaches', async () => {
    const { app, media } = await startAudioApp({ devices: [desk] });
    media.answer = () => 'NotAllowedError';
    app.callAudio.attach(new FakeChannel('c1'));
    await settle();
    expect(app.callAudio.problem).toEqual({ kind: 'denied' });
    media.answer = () => 'open';
    let open!: () => void;
    media.gate = new Promise<void>((resolve) => (open = resolve));
    app.callAudio.attach(new FakeChannel('c2'));
    expect(app.callAudio.problem).toBeNull();
    open();
    await settle();
    expect(app.callAudio.status).toBe('live');
  });

  it('reads the device lists again once the microphone is open, when the browser names them', async () => {
    const { app, media } = await startAudioApp({ devices: [microphone('m1', '')] });
    expect(app.audioDevices.microphones[0]!.label).toBe('Microphone 1');
    media.devices = [microphone('m1', 'Desk microphone')];
    app.callAudio.attach(new FakeChannel('c1'));
    await settle();
    expect(app.audioDevices.microphones[0]!.label).toBe('Desk microphone');
  });

  it('moves a live call to the default microphone when its microphone is unplugged, and back when it returns', async () => {
    const { app, media, sessions } = await startAudioApp({
      devices: [desk, headset],
      settings: { audioInputId: 'm-headset' },
    });
    const channel = new FakeChannel('c1');
    app.callAudio.attach(channel);
    await settle();
    media.change([desk]);
    await settle();
    expect(media.requests.map(requestedDevice)).toEqual(['m-headset', null]);
    expect(sessions.map((session) => session.closed)).toEqual([true, false]);
    expect(sessions[1]!.channel).toBe(channel);
    expect(media.streams[0]!.stopped).toBe(true);
    expect(app.callAudio.status).toBe('live');
    expect(app.callAudio.callId).toBe('c1');
    expect(app.callAudio.microphoneFellBack).toBe(true);

    media.change([desk, headset]);
    await settle();
    expect(media.requests.map(requestedDevice)).toEqual(['m-headset', null, 'm-headset']);
    expect(sessions).toHaveLength(3);
    expect(app.callAudio.microphoneFellBack).toBe(false);
  });

  it('does not reopen the microphone when only the speaker changes', async () => {
    const { app, media } = await startAudioApp({ devices: [desk, monitor] });
    app.callAudio.attach(new FakeChannel('c1'));
    await settle();
    await app.audioDevices.choose('speaker', 's-monitor');
    await settle();
    expect(media.requests).toHaveLength(1);
  });

  it('reports a session that could not be built', async () => {
    const { app } = await startAudioApp({ devices: [desk], sessionFails: true });
    app.callAudio.attach(new FakeChannel('c1'));
    await settle();
    expect(app.callAudio.status).toBe('failed');
    expect(app.callAudio.problem).toEqual({ kind: 'session', message: 'no audio output' });
  });
});

describe('microphoneDeniedText', () => {
  it('points the app to the system’s privacy settings and the browser to the site settings', () => {
    expect(microphoneDeniedText('electron')).toMatch(/privacy settings/);
    expect(microphoneDeniedText('web')).toMatch(/site settings/);
    for (const kind of ['electron', 'web'] as const)
      expect(microphoneDeniedText(kind)).toMatch(/Calls still connect, but the other side does not hear you/);
  });
});
