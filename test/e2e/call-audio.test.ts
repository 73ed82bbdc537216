// Audio both ways through the window, in Debian's Chromium against the web host, Kamailio and baresip 1.0 as bob:
// Chromium's fake microphone plays 1 kHz, which must reach bob's recording; bob plays 700 Hz, which must come out
// of the window's playback worklet (read by the page's audio tap). For a call we dial and one we answer, and across
// a reload of the window in the middle of a call (the call goes on, the window reattaches, audio flows again).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitForAudio } from '../interop/baresip/call-helpers';
import type { BaresipEvent } from '../interop/support/baresip';
import { peersAvailable } from '../interop/support/peers';
import { analyzeTone, decibels, type ToneReport } from '../support/audio/tone-judge';
import type { PcmAudio } from '../support/audio/wav';
import { type CallStage, startCallStage } from './support/call-stage';
import { sendCommands } from './support/web-host-commands';

const peers = peersAvailable();
const STEP_MS = 15_000;
/** Seconds of the window's playback judged each time. */
const LISTEN_S = 2;

const ofCall =
  (id: string | undefined) =>
  (event: BaresipEvent): boolean =>
    event.id === id;

/** The windows of `audio` after `fromS`, judged against `toneHz`. */
function judge(audio: PcmAudio, toneHz: number, fromS = 0): ToneReport {
  const from = Math.round(fromS * audio.sampleRate) * audio.channels;
  return analyzeTone({ ...audio, samples: audio.samples.subarray(from) }, { toneHz });
}

/**
 * The tone is there: enough half-second windows with sound, every one of them with ≥ 80 % of its energy within
 * ±10 % of the tone, at a level between `lowDb` and `highDb` of what was played.
 */
function expectTone(
  report: ToneReport,
  playedRms: number,
  minWindows: number,
  [lowDb, highDb]: readonly [number, number],
): void {
  const summary = JSON.stringify({
    toneRms: report.toneRms,
    windows: report.windows.map((window) => [window.rms.toFixed(3), window.toneShare.toFixed(2)]),
  });
  expect(report.activeWindows, summary).toBeGreaterThanOrEqual(minWindows);
  expect(report.toneWindows, summary).toBe(report.activeWindows);
  const levelDb = decibels(report.toneRms) - decibels(playedRms);
  expect(levelDb, summary).toBeGreaterThanOrEqual(lowDb);
  expect(levelDb, summary).toBeLessThanOrEqual(highDb);
}

/** What a G.711 call does to a tone's level: within 3 dB either way. */
const CLEAN: readonly [number, number] = [-3, 3];
/**
 * Chromium's noise suppression and gain control, on by default, take a steady tone for noise: measured here, a
 * 1 kHz sine settles about 19.5 dB down within three seconds. Still well above silence (the judge's −40 dBFS).
 */
const PROCESSED: readonly [number, number] = [-24, 3];

describe.skipIf(!peers.kamailio || !peers.baresip || !peers.chromium)('call audio in the browser', () => {
  let stage: CallStage;

  beforeAll(async () => {
    stage = await startCallStage({ bobTone: { frequencyHz: 700, amplitude: 0.4 } });
  });

  afterEach(async () => {
    if (stage === undefined) return;
    await stage.bob.hangup().catch(() => undefined);
    await stage.page.getByRole('button', { name: 'Hang up' }).waitFor({ state: 'hidden', timeout: STEP_MS });
  });

  afterAll(async () => {
    await stage?.stop();
  });

  /** Turns Chromium's echo cancellation, noise suppression and gain control on or off for the next call. */
  async function captureProcessing(on: boolean): Promise<void> {
    const patch = { audioEchoCancellation: on, audioNoiseSuppression: on, audioAutoGainControl: on };
    const [result] = await sendCommands(stage.page, stage.host.port, [
      { name: 'settings.update', args: [patch] },
    ]);
    expect(result).toMatchObject({ ok: true, value: patch });
  }

  async function connected(): Promise<void> {
    await stage.page
      .locator('.call .state')
      .getByText(/Connected/)
      .waitFor({ timeout: STEP_MS });
  }

  /** Waits until the window plays the call, then records LISTEN_S seconds of what it plays. */
  async function listen(): Promise<PcmAudio> {
    await expect.poll(async () => (await stage.tap.counters()).speakerSeen, { timeout: STEP_MS }).toBe(true);
    // Past the playback ring's first fill.
    await expect
      .poll(async () => (await stage.tap.counters()).framesReceived, { timeout: STEP_MS })
      .toBeGreaterThan(25);
    await stage.tap.start();
    await stage.tap.waitForRecorded(LISTEN_S);
    await stage.tap.stop();
    return stage.tap.take('speaker');
  }

  /** Hangs up from the window; resolves with what bob recorded of the call. */
  async function hangUpAndTakeBobsRecording(id: string): Promise<PcmAudio> {
    await stage.page.getByRole('button', { name: 'Hang up' }).click();
    await stage.bob.waitForEvent('CALL_CLOSED', STEP_MS, ofCall(id));
    return (await stage.bob.receivedRecording()).audio;
  }

  it("a call we dial: our microphone's tone is in bob's recording, and bob's tone plays in the window", async () => {
    // The settings as they ship: Chromium's capture processing on.
    await captureProcessing(true);
    await stage.openView('Dialpad');
    const field = stage.page.getByRole('textbox', { name: 'Number or SIP address' });
    await field.fill('bob');
    await field.press('Enter');
    const { id } = await stage.bob.waitForEvent('CALL_INCOMING', STEP_MS);
    await stage.bob.answer();
    await connected();

    const played = await listen();
    expectTone(judge(played, 700), stage.bobTone.rms, 3, CLEAN);
    await waitForAudio(stage.bob, (status) => status.receivedS >= 3);
    const recorded = await hangUpAndTakeBobsRecording(id!);
    expectTone(judge(recorded, 1_000), stage.ourTone.rms, 3, PROCESSED);
  });

  it('a call we answer: the same both ways, at the level played with the capture processing off', async () => {
    await captureProcessing(false);
    await stage.bob.dial(stage.aliceUri);
    const prompt = stage.page.getByRole('dialog', { name: 'Incoming call' });
    await prompt.waitFor({ timeout: STEP_MS });
    const { id } = await stage.bob.waitForEvent('CALL_RINGING', STEP_MS);
    await prompt.getByRole('button', { name: 'Answer' }).click();
    await stage.bob.waitForEvent('CALL_ESTABLISHED', STEP_MS, ofCall(id));
    await connected();

    const played = await listen();
    expectTone(judge(played, 700), stage.bobTone.rms, 3, CLEAN);
    await waitForAudio(stage.bob, (status) => status.receivedS >= 3);
    const recorded = await hangUpAndTakeBobsRecording(id!);
    expectTone(judge(recorded, 1_000), stage.ourTone.rms, 3, CLEAN);
  });

  it('a reload during a call: the call goes on, the window reattaches, and audio flows both ways again', async () => {
    await captureProcessing(false);
    await stage.openView('Dialpad');
    const field = stage.page.getByRole('textbox', { name: 'Number or SIP address' });
    await field.fill('bob');
    await field.press('Enter');
    const { id } = await stage.bob.waitForEvent('CALL_INCOMING', STEP_MS);
    await stage.bob.answer();
    await connected();
    expectTone(judge(await listen(), 700), stage.bobTone.rms, 3, CLEAN);

    await stage.page.reload();
    await connected();
    expect(stage.bob.events.some((event) => event.type === 'CALL_CLOSED' && event.id === id)).toBe(false);
    // A new document, a new tap: what it hears is the reattached call's audio.
    expectTone(judge(await listen(), 700), stage.bobTone.rms, 3, CLEAN);
    const reloadedAt = await stage.bob.audioStatus();
    await waitForAudio(stage.bob, (status) => status.receivedS >= reloadedAt.receivedS + 2);
    const recorded = await hangUpAndTakeBobsRecording(id!);
    // The last two seconds bob heard came after the reload: our tone again.
    const durationS = recorded.samples.length / recorded.channels / recorded.sampleRate;
    expectTone(judge(recorded, 1_000, durationS - 2), stage.ourTone.rms, 3, CLEAN);
  });
});
