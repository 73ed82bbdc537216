// Steps the baresip call tests share: placing and ending a call between two phones, waiting on a phone's own
// audio clock instead of wall time, and judging a received recording against the tone the far end played.
import { expect } from 'vitest';
import type { BaresipAudioStatus, BaresipEvent, BaresipHandle } from '../support/baresip';
import { analyzeTone, decibels, type ToneReport } from '../../support/audio/tone-judge';
import type { PcmAudio } from '../../support/audio/wav';

const STEP_TIMEOUT_MS = 10_000;

const ofCall =
  (id: string) =>
  (event: BaresipEvent): boolean =>
    event.id === id;

/**
 * `caller` dials `uri`; `callee` answers (an auto-answering one by itself, which then reports no CALL_INCOMING);
 * resolves with the call id (its Call-ID, the same at both ends) once both are up.
 */
export async function placeCall(caller: BaresipHandle, callee: BaresipHandle, uri: string): Promise<string> {
  await caller.dial(uri);
  if (callee.answerMode === 'auto') {
    const { id } = await callee.waitForEvent('CALL_ESTABLISHED', STEP_TIMEOUT_MS);
    await caller.waitForEvent('CALL_ESTABLISHED', STEP_TIMEOUT_MS, ofCall(id!));
    return id!;
  }
  const { id } = await callee.waitForEvent('CALL_INCOMING', STEP_TIMEOUT_MS);
  await callee.answer();
  await Promise.all([
    caller.waitForEvent('CALL_ESTABLISHED', STEP_TIMEOUT_MS, ofCall(id!)),
    callee.waitForEvent('CALL_ESTABLISHED', STEP_TIMEOUT_MS, ofCall(id!)),
  ]);
  return id!;
}

/** `by` hangs up call `id`; resolves with both CALL_CLOSED events, `by`'s first. */
export async function endCall(
  by: BaresipHandle,
  other: BaresipHandle,
  id: string,
): Promise<[BaresipEvent, BaresipEvent]> {
  await by.hangup();
  return Promise.all([
    by.waitForEvent('CALL_CLOSED', STEP_TIMEOUT_MS, ofCall(id)),
    other.waitForEvent('CALL_CLOSED', STEP_TIMEOUT_MS, ofCall(id)),
  ]);
}

/** Polls `phone`'s audio status until `done` holds; fails with the last status after `timeoutMs`. */
export async function waitForAudio(
  phone: BaresipHandle,
  done: (status: BaresipAudioStatus) => boolean,
  timeoutMs = STEP_TIMEOUT_MS,
): Promise<BaresipAudioStatus> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const status = await phone.audioStatus();
    if (done(status)) return status;
    if (performance.now() > deadline) {
      throw new Error(`${phone.aor}: audio never reached the expected state; last ${JSON.stringify(status)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Asserts that `received` carries `toneHz`: at least `minActiveWindows` half-second windows with sound, every one
 * of them with ≥ 80 % of its energy within ±10 % of the tone, and a level within 3 dB of what was played.
 */
export function expectTone(
  received: PcmAudio,
  toneHz: number,
  playedRms: number,
  minActiveWindows = 2,
): ToneReport {
  const report = analyzeTone(received, { toneHz });
  const summary = JSON.stringify({
    durationS: report.durationS,
    windows: report.windows.map((window) => [window.rms.toFixed(3), window.toneShare.toFixed(2)]),
  });
  expect(report.activeWindows, summary).toBeGreaterThanOrEqual(minActiveWindows);
  expect(report.toneWindows, summary).toBe(report.activeWindows);
  expect(Math.abs(decibels(report.toneRms) - decibels(playedRms)), summary).toBeLessThanOrEqual(3);
  return report;
}
