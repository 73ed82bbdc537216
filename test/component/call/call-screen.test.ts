// The call screen: state in words with a ticking timer, mute and hold, tones from the keypad, blind and attended
// transfer, swap, hang up, quality details, and a hostile peer name kept in its box.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import CallScreen from '../../../renderer/src/features/call/CallScreen.svelte';
import { account, call } from '../support/fake-engine';
import { renderWithApp } from '../support/render';

const alice = account({ id: 'a1', aor: 'sip:alice@example.com' });

afterEach(() => {
  vi.useRealTimers();
  localStorage.clear();
});

/** The state line as a screen reader reads it: "Call state: …". */
function stateLine(): string | null {
  return screen.getByText(/Call state:/u).closest('p')!.textContent;
}

async function showCall(calls = [call({ id: 'c1', state: 'connected', answeredAt: 1_700_000_000_000 })]) {
  const view = await renderWithApp(CallScreen, { call: calls[0]! }, { accounts: [alice], calls });
  return view;
}

describe('CallScreen', () => {
  it('counts the talk time up every second', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(1_700_000_083_000);
    const answeredAt = 1_700_000_000_000;
    const { app, rerender } = await showCall([call({ id: 'c1', state: 'connected', answeredAt })]);
    await rerender({ call: app.calls.active! });
    expect(stateLine()).toBe('Call state: Connected 01:23');
    vi.advanceTimersByTime(2_000);
    await waitFor(() => expect(stateLine()).toBe('Call state: Connected 01:25'));
  });

  it('mutes and holds through the engine, with pressed states', async () => {
    const { bridge, app, rerender } = await showCall();
    await fireEvent.click(screen.getByRole('button', { name: 'Mute' }));
    await waitFor(() => expect(app.calls.active?.muted).toBe(true));
    await rerender({ call: app.calls.active! });
    expect(screen.getByRole('button', { name: 'Mute' }).getAttribute('aria-pressed')).toBe('true');
    await fireEvent.click(screen.getByRole('button', { name: 'Hold' }));
    await waitFor(() => expect(app.calls.active?.state).toBe('on-hold'));
    await rerender({ call: app.calls.active! });
    expect(stateLine()).toBe('Call state: On hold');
    expect(bridge.callsOf('calls.mute')).toEqual([['c1', true]]);
    expect(bridge.callsOf('calls.hold')).toEqual([['c1']]);
  });

  it('sends each keypad digit as a tone', async () => {
    const { bridge } = await showCall();
    await fireEvent.click(screen.getByRole('button', { name: 'Keypad' }));
    const keys = screen.getByRole('group', { name: 'Keypad tones' });
    await fireEvent.click(within(keys).getByRole('button', { name: '5 J K L' }));
    await fireEvent.click(within(keys).getByRole('button', { name: '#' }));
    await waitFor(() =>
      expect(bridge.callsOf('calls.sendDtmf')).toEqual([
        ['c1', '5'],
        ['c1', '#'],
      ]),
    );
    expect(screen.getByText(/Sent:/u).textContent).toContain('5#');
  });

  it('transfers blind to a typed number at the account domain, and refuses an unusable target', async () => {
    const { bridge } = await showCall([
      call({ id: 'c1', accountId: 'a1', state: 'connected', answeredAt: 1_700_000_000_000 }),
    ]);
    await fireEvent.click(screen.getByRole('button', { name: 'Transfer' }));
    const target = screen.getByRole('textbox', { name: 'Transfer to (number or SIP address)' });
    await fireEvent.input(target, { target: { value: 'sip:bad host' } });
    await fireEvent.submit(target.closest('form')!);
    expect(screen.getByRole('alert').textContent).toMatch(/\S/u);
    expect(bridge.callsOf('calls.transfer')).toEqual([]);
    await fireEvent.input(target, { target: { value: '200' } });
    await fireEvent.submit(target.closest('form')!);
    await waitFor(() =>
      expect(bridge.callsOf('calls.transfer')).toEqual([
        ['c1', { kind: 'blind', target: 'sip:200@example.com' }],
      ]),
    );
  });

  it('offers the other call for an attended transfer and for a swap', async () => {
    const { bridge, app } = await showCall([
      call({ id: 'c1', state: 'connected', answeredAt: 1_700_000_000_000, peerName: 'Bob' }),
      call({ id: 'c2', state: 'on-hold', answeredAt: 1_700_000_000_000, peerName: 'Carol' }),
    ]);
    await fireEvent.click(screen.getByRole('button', { name: 'Transfer' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Connect to Carol' }));
    await waitFor(() =>
      expect(bridge.callsOf('calls.transfer')).toEqual([['c1', { kind: 'attended', callId: 'c2' }]]),
    );
    await fireEvent.click(screen.getByRole('button', { name: 'Swap to Carol' }));
    await waitFor(() => expect(app.calls.active?.id).toBe('c2'));
    expect(bridge.callsOf('calls.resume')).toEqual([['c2']]);
  });

  it('shows the quality details on demand', async () => {
    const { app } = await showCall();
    app.calls.receiveQuality({
      callId: 'c1',
      codec: 'pcmu',
      sendBitrate: 64_000,
      receiveBitrate: 64_000,
      jitterMs: 12.4,
      lossPercent: 2.5,
      roundTripMs: 38,
      jitterBufferDelayMs: 60,
      jitterBufferTargetMs: 80,
      lateFrames: 4,
      concealedFrames: 7,
      recoveredFrames: 11,
      mos: 3.7,
    });
    const toggle = await screen.findByRole('button', { name: /Quality: Fair/u });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const details = document.getElementById(toggle.getAttribute('aria-controls')!)!;
    expect(details.hidden).toBe(false);
    expect(details.textContent).toContain('G.711 µ-law (PCMU)');
    expect(details.textContent).toContain('12 ms');
    expect(details.textContent).toContain('2.5 %');
    expect(details.textContent).toContain('38 ms');
    expect(details.textContent).toContain('3.7');
    expect(details.textContent).toMatch(/Jitter buffer\s*60 ms, aiming for 80 ms/u);
    expect(details.textContent).toMatch(/Late packets\s*4/u);
    expect(details.textContent).toMatch(/Concealed frames\s*7/u);
    expect(details.textContent).toMatch(/Rebuilt from FEC\s*11/u);
  });

  it('hangs up, and shows a refused hang-up as an error', async () => {
    const { bridge, app } = await showCall();
    bridge.handle('calls.hangup', () => ({ ok: false, error: { code: 'internal', message: 'boom' } }));
    await fireEvent.click(screen.getByRole('button', { name: 'Hang up' }));
    await waitFor(() =>
      expect(app.calls.error?.text).toBe('The call could not be ended: something went wrong inside the app.'),
    );
    expect(bridge.callsOf('calls.hangup')).toEqual([['c1']]);
  });

  it('keeps a hostile peer name in one isolated, cleaned line', async () => {
    await showCall([
      call({
        id: 'c1',
        state: 'connected',
        answeredAt: 1_700_000_000_000,
        peerName: `\u202EEvil\nHacker ${'W'.repeat(5_000)}`,
      }),
    ]);
    const heading = screen.getByRole('heading', { level: 1 });
    const bdi = heading.querySelector('bdi')!;
    expect(bdi.textContent!.startsWith('Evil Hacker W')).toBe(true);
    expect(bdi.textContent).not.toMatch(/[\u202E\n]/u);
    expect(bdi.textContent!.length).toBeLessThanOrEqual(200);
  });
});
