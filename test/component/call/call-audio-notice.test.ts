import { screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import CallAudioNotice from '../../../renderer/src/features/call/CallAudioNotice.svelte';
import { callAudioNoticeText } from '../../../renderer/src/lib/audio/audio-text';
import { FakeChannel, renderAudioApp } from '../audio/audio-state';
import { microphone } from '../support/fake-media-devices';

const desk = microphone('m-desk', 'Desk microphone');

describe('CallAudioNotice', () => {
  it('tells a call whose microphone was refused what to do, while the call goes on receive-only', async () => {
    const { app, media } = await renderAudioApp(CallAudioNotice, { callId: 'c1' }, { devices: [desk] });
    expect(screen.getByRole('status').textContent?.trim()).toBe('');
    media.answer = () => 'NotAllowedError';
    app.callAudio.attach(new FakeChannel('c1'));
    await waitFor(() => expect(app.callAudio.status).toBe('receive-only'));
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toMatch(
        /This page may not use the microphone\. Allow it in the site settings.*Calls still connect/,
      ),
    );
  });

  it('says nothing about another call’s audio', async () => {
    const { app, media } = await renderAudioApp(CallAudioNotice, { callId: 'c2' }, { devices: [desk] });
    media.answer = () => 'NotAllowedError';
    app.callAudio.attach(new FakeChannel('c1'));
    await waitFor(() => expect(app.callAudio.status).toBe('receive-only'));
    expect(screen.getByRole('status').textContent?.trim()).toBe('');
  });

  it('is quiet when the call’s audio is as chosen', async () => {
    const { app } = await renderAudioApp(CallAudioNotice, { callId: 'c1' }, { devices: [desk] });
    app.callAudio.attach(new FakeChannel('c1'));
    await waitFor(() => expect(app.callAudio.status).toBe('live'));
    expect(screen.getByRole('status').textContent?.trim()).toBe('');
  });
});

describe('callAudioNoticeText', () => {
  const fine = { problem: null, microphoneFellBack: false, speakerRefused: false };
  it.each([
    [{ ...fine, problem: { kind: 'missing' as const } }, /No microphone was found/],
    [
      { ...fine, problem: { kind: 'failed' as const, message: 'device busy' } },
      /could not be opened \(device busy\)/,
    ],
    [
      { ...fine, problem: { kind: 'session' as const, message: 'no output' } },
      /could not start \(no output\)/,
    ],
    [{ ...fine, microphoneFellBack: true }, /default microphone is used/],
    [{ ...fine, speakerRefused: true }, /the default speaker is used/],
  ])('%o → %s', (audio, text) => {
    expect(callAudioNoticeText(audio, 'web')).toMatch(text);
  });

  it('is null when all is well', () => {
    expect(callAudioNoticeText(fine, 'electron')).toBeNull();
  });
});
