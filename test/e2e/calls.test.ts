// Calls a person makes and takes in the window, in Debian's Chromium against the web host (the real engine inside),
// Kamailio as the proxy and baresip 1.0 as bob at the far end: dial from the dialpad, bob's call with the prompt,
// hold and resume, tones from the keypad, a missed call with its badge, and a declined one. Each test ends with
// both ends idle again, so the next one starts from a quiet phone.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BaresipEvent } from '../interop/support/baresip';
import { waitForAudio } from '../interop/baresip/call-helpers';
import { peersAvailable } from '../interop/support/peers';
import { BOB_NAME, type CallStage, startCallStage } from './support/call-stage';

const peers = peersAvailable();
const STEP_MS = 15_000;

const ofCall =
  (id: string | undefined) =>
  (event: BaresipEvent): boolean =>
    event.id === id;

describe.skipIf(!peers.kamailio || !peers.baresip || !peers.chromium)('calls in the browser', () => {
  let stage: CallStage;

  beforeAll(async () => {
    stage = await startCallStage();
  });

  afterEach(async () => {
    // A test that failed midway may leave a call up at either end.
    await stage?.bob.hangup().catch(() => undefined);
    if (stage === undefined) return;
    const hangUp = stage.page.getByRole('button', { name: 'Hang up' });
    // bob's hangup may take the button away between the look and the click.
    if (await hangUp.isVisible()) await hangUp.click({ timeout: 2_000 }).catch(() => undefined);
    await hangUp.waitFor({ state: 'hidden', timeout: STEP_MS });
  });

  afterAll(async () => {
    await stage?.stop();
  });

  const callState = () => stage.page.locator('.call .state');

  /** Types bob's number on the dialpad and presses Enter; resolves with bob's call id once he answers. */
  async function dialBob(): Promise<string> {
    await stage.openView('Dialpad');
    const field = stage.page.getByRole('textbox', { name: 'Number or SIP address' });
    await field.click();
    await field.pressSequentially('bob');
    await field.press('Enter');
    const { id } = await stage.bob.waitForEvent('CALL_INCOMING', STEP_MS);
    await stage.bob.answer();
    await stage.bob.waitForEvent('CALL_ESTABLISHED', STEP_MS, ofCall(id));
    return id!;
  }

  /** Waits until the call screen reads "Connected" with a timer past `atLeastS` seconds. */
  async function expectConnected(atLeastS = 0): Promise<void> {
    await expect
      .poll(
        async () => {
          const match = /^Call state:\s*Connected (\d\d):(\d\d)$/.exec(
            (await callState().innerText()).trim(),
          );
          return match === null ? -1 : Number(match[1]) * 60 + Number(match[2]);
        },
        { timeout: STEP_MS },
      )
      .toBeGreaterThanOrEqual(atLeastS);
  }

  const hangUpButton = () => stage.page.getByRole('button', { name: 'Hang up' });
  const prompt = () => stage.page.getByRole('dialog', { name: 'Incoming call' });

  /** bob calls alice; resolves with his call id once the window shows the prompt. */
  async function bobCalls(): Promise<string> {
    await stage.bob.dial(stage.aliceUri);
    await prompt().waitFor({ timeout: STEP_MS });
    const { id } = await stage.bob.waitForEvent('CALL_RINGING', STEP_MS);
    return id!;
  }

  it('dials bob from the dialpad with Enter; the call screen shows Connected with a ticking timer; hang up', async () => {
    await stage.openView('Dialpad');
    await stage.shotAll('dialpad');
    const id = await dialBob();
    await expectConnected(0);
    // The call screen put focus on the peer's name (for the keyboard and screen readers) without drawing a focus
    // ring around a heading nobody can act on.
    const name = stage.page.locator('.call .name');
    await expect
      .poll(() => name.evaluate((element) => element === element.ownerDocument.activeElement))
      .toBe(true);
    expect(
      await name.evaluate(
        (element) => element.ownerDocument.defaultView!.getComputedStyle(element).outlineStyle,
      ),
    ).toBe('none');
    // An empty audio notice (the live region waiting for news) takes no room: the controls follow the quality
    // indicator after one gap of the screen's grid (1rem).
    const quality = await stage.page.locator('.call .quality').boundingBox();
    const controls = await stage.page.getByRole('group', { name: 'Call controls' }).boundingBox();
    expect(controls!.y - (quality!.y + quality!.height)).toBeLessThanOrEqual(17);
    // The timer ticks: two seconds later it reads at least 00:02.
    await expectConnected(2);
    await stage.shotAll('call-connected');
    await hangUpButton().click();
    const closed = await stage.bob.waitForEvent('CALL_CLOSED', STEP_MS, ofCall(id));
    expect(closed.id).toBe(id);
    await hangUpButton().waitFor({ state: 'hidden', timeout: STEP_MS });
  });

  it("shows bob's call in the prompt with his name; Answer connects it both ways", async () => {
    const id = await bobCalls();
    await expect.poll(() => prompt().innerText()).toContain(BOB_NAME);
    await stage.shotAll('incoming-prompt');
    await prompt().getByRole('button', { name: 'Answer' }).click();
    await stage.bob.waitForEvent('CALL_ESTABLISHED', STEP_MS, ofCall(id));
    await expectConnected(0);
    await expect.poll(() => stage.page.locator('.call .name').innerText()).toBe(BOB_NAME);
    // Media flows to bob (the engine's own RTP for now): his receive clock runs.
    await waitForAudio(stage.bob, (status) => status.receivedS >= 0.5);
    await stage.bob.hangup();
    await stage.bob.waitForEvent('CALL_CLOSED', STEP_MS, ofCall(id));
    await hangUpButton().waitFor({ state: 'hidden', timeout: STEP_MS });
  });

  it('holds and resumes from the call screen: bob sees the re-INVITEs as recvonly, then sendrecv', async () => {
    const id = await dialBob();
    await expectConnected(0);
    await waitForAudio(stage.bob, (status) => status.direction === 'sendrecv' && status.receivedS >= 0.3);
    const hold = stage.page.getByRole('button', { name: 'Hold' });
    await hold.click();
    await expect.poll(() => callState().innerText(), { timeout: STEP_MS }).toMatch(/On hold$/);
    await expect.poll(() => hold.getAttribute('aria-pressed')).toBe('true');
    // Our offer is sendonly (RFC 3264 §8.4), so bob's answer, his side of the media, is recvonly.
    await waitForAudio(stage.bob, (status) => status.direction === 'recvonly');
    await stage.shotAll('call-on-hold');
    await hold.click();
    await expectConnected(0);
    await expect.poll(() => hold.getAttribute('aria-pressed')).toBe('false');
    const resumed = await waitForAudio(stage.bob, (status) => status.direction === 'sendrecv');
    // And the audio comes back.
    await waitForAudio(stage.bob, (status) => status.receivedS >= resumed.receivedS + 0.5);
    await hangUpButton().click();
    await stage.bob.waitForEvent('CALL_CLOSED', STEP_MS, ofCall(id));
  });

  it("sends the call screen keypad's digits as tones that bob receives", async () => {
    const id = await dialBob();
    await expectConnected(0);
    await stage.page.getByRole('button', { name: 'Keypad' }).click();
    const keys = stage.page.getByRole('group', { name: 'Keypad tones' });
    for (const key of ['1', '5 J K L', '9 W X Y Z', '#', '*', '0']) {
      await keys.getByRole('button', { name: key, exact: true }).click();
    }
    const received: string[] = [];
    for (let index = 0; index < 6; index++) {
      const event = await stage.bob.waitForEvent('CALL_DTMF_START', STEP_MS, ofCall(id));
      received.push(event.param ?? '?');
    }
    expect(received.join('')).toBe('159#*0');
    await expect.poll(() => stage.page.getByText('Sent:').innerText()).toContain('159#*0');
    await stage.shotAll('call-keypad');
    await stage.page.getByRole('button', { name: 'Keypad' }).click();
    // The quality details once the first measurements are in (the engine reports every few seconds).
    await stage.page.getByRole('button', { name: /^Quality:/ }).click();
    await expect
      .poll(() => stage.page.locator('.call .details').innerText(), { timeout: STEP_MS })
      .toContain('PCMU');
    await stage.shotAll('call-quality');
    await hangUpButton().click();
    await stage.bob.waitForEvent('CALL_CLOSED', STEP_MS, ofCall(id));
  });

  it('lists a call bob gave up on as missed, with the badge on History', async () => {
    const id = await bobCalls();
    await stage.bob.hangup();
    await stage.bob.waitForEvent('CALL_CLOSED', STEP_MS, ofCall(id));
    await prompt().waitFor({ state: 'hidden', timeout: STEP_MS });
    const views = stage.page.getByRole('navigation', { name: 'Views' });
    await expect
      .poll(() => views.getByRole('button', { name: /History/ }).innerText(), { timeout: STEP_MS })
      .toMatch(/1 missed call/);
    await expect.poll(() => views.locator('.badge').innerText()).toBe('1');
    await stage.openView('History');
    const missed = stage.page.getByRole('listitem').filter({ hasText: 'Missed' }).first();
    await expect.poll(() => missed.innerText(), { timeout: STEP_MS }).toContain(BOB_NAME);
    await stage.shotAll('history');
    // Seen: the badge goes.
    await expect.poll(() => views.locator('.badge').count(), { timeout: STEP_MS }).toBe(0);
  });

  it('declines bob: he gets a busy or decline answer (486/603) and the prompt goes', async () => {
    const id = await bobCalls();
    await prompt().getByRole('button', { name: 'Decline' }).click();
    const closed = await stage.bob.waitForEvent('CALL_CLOSED', STEP_MS, ofCall(id));
    expect(closed.param).toMatch(/486|603/);
    await prompt().waitFor({ state: 'hidden', timeout: STEP_MS });
  });
});
