// CallsState: the list from calls.list and call.changed, the active call, actions as Results with worded errors,
// quality per call, announcements, and a talk-time tick driven by a test clock.
import { describe, expect, it } from 'vitest';
import type { CallDto } from '../../../main/contract/contract';
import { type CallClock, CallsState } from '../../../renderer/src/lib/state/calls.svelte';
import { FakeBridge } from '../support/fake-bridge';
import { call, FakeEngine } from '../support/fake-engine';

class TestClock implements CallClock {
  time = 1_700_000_000_000;
  readonly ticks: (() => void)[] = [];
  now(): number {
    return this.time;
  }
  every(_ms: number, tick: () => void): () => void {
    this.ticks.push(tick);
    return () => this.ticks.splice(this.ticks.indexOf(tick), 1);
  }
  advance(ms: number): void {
    this.time += ms;
    for (const tick of [...this.ticks]) tick();
  }
}

const quality = (callId: string, mos: number | null) => ({
  callId,
  codec: 'opus' as const,
  sendBitrate: 32_000,
  receiveBitrate: 31_000,
  jitterMs: 3,
  lossPercent: 0.5,
  roundTripMs: 40,
  jitterBufferDelayMs: 40,
  jitterBufferTargetMs: 40,
  lateFrames: 0,
  concealedFrames: 0,
  recoveredFrames: 0,
  mos,
});

describe('CallsState', () => {
  it('loads the calls under way and follows call.changed until a call ends', async () => {
    const engine = new FakeEngine({ calls: [call({ id: 'a', state: 'connected', answeredAt: 1 })] });
    const state = new CallsState(engine.bridge, new TestClock());
    await state.load();
    expect(state.active?.id).toBe('a');
    const ended: CallDto[] = [];
    state.onEnded((item) => ended.push(item));
    state.receive(call({ id: 'b', direction: 'incoming', state: 'incoming', peerName: 'Bob' }));
    expect(state.incoming?.id).toBe('b');
    expect(state.announcement).toBe('Incoming call from Bob.');
    state.receive(
      call({ id: 'a', state: 'ended', end: { by: 'remote', reason: 'hangup', status: null, detail: null } }),
    );
    expect(state.list.map((item) => item.id)).toEqual(['b']);
    expect(ended.map((item) => item.id)).toEqual(['a']);
    expect(state.lastEnded?.id).toBe('a');
    expect(state.announcement).toBe('a@example.test: The other side hung up.');
  });

  it('keeps an event that arrived while the list was loading', async () => {
    const bridge = new FakeBridge();
    let answer: (value: CallDto[]) => void = () => {};
    bridge.handle(
      'calls.list',
      () => new Promise((resolve) => (answer = (value) => resolve({ ok: true, value }))),
    );
    const state = new CallsState(bridge, new TestClock());
    const loading = state.load();
    state.receive(call({ id: 'a', state: 'ringing' }));
    answer([call({ id: 'a', state: 'dialing' })]);
    await loading;
    expect(state.list.map((item) => item.state)).toEqual(['ringing']);
  });

  it('does not let an older command answer undo a newer event', async () => {
    const bridge = new FakeBridge();
    const state = new CallsState(bridge, new TestClock());
    state.receive(call({ id: 'a', state: 'connected', answeredAt: 1 }));
    bridge.handle('calls.hold', () => {
      // The far end's re-INVITE lands before our answer.
      state.receive(call({ id: 'a', state: 'held-by-remote', answeredAt: 1 }));
      return { ok: true, value: call({ id: 'a', state: 'on-hold', answeredAt: 1 }) };
    });
    await state.hold('a');
    expect(state.list[0]?.state).toBe('held-by-remote');
  });

  it('drives every action through the bridge and returns its Result', async () => {
    const engine = new FakeEngine();
    const state = new CallsState(engine.bridge, new TestClock());
    engine.bridge.on('call.changed', (changed) => state.receive(changed));
    const placed = await state.dial('sip:bob@example.com', null);
    expect(placed.ok).toBe(true);
    const id = state.active!.id;
    await state.setMuted(id, true);
    expect(state.active?.muted).toBe(true);
    expect(state.announcement).toBe('Microphone muted.');
    await state.hold(id);
    expect(state.active?.state).toBe('on-hold');
    await state.toggleHold(state.active!);
    expect(state.active?.state).toBe('connected');
    await state.sendDtmf(id, '5');
    await state.transfer(id, { kind: 'blind', target: 'sip:carol@example.com' });
    await state.hangup(id);
    expect(engine.bridge.calls.map((item) => item.name)).toEqual([
      'calls.dial',
      'calls.mute',
      'calls.hold',
      'calls.resume',
      'calls.sendDtmf',
      'calls.transfer',
      'calls.hangup',
    ]);
    expect(engine.bridge.callsOf('calls.sendDtmf')).toEqual([[id, '5']]);
    expect(state.list).toEqual([]);
    expect(state.error).toBeNull();
  });

  it('words a failed command as an error and clears it on the next success', async () => {
    const engine = new FakeEngine({ calls: [call({ id: 'a', state: 'ringing' })] });
    const state = new CallsState(engine.bridge, new TestClock());
    await state.load();
    engine.bridge.handle('calls.hold', () => ({
      ok: false,
      error: { code: 'conflict', message: 'not established' },
    }));
    const result = await state.hold('a');
    expect(result.ok).toBe(false);
    expect(state.error).toEqual({
      action: 'hold',
      text: 'The call could not be put on hold: that cannot be done in the call’s current state.',
      detail: 'not established',
    });
    await state.hangup('a');
    expect(state.error).toBeNull();
  });

  it('answers a second call after holding the one that is up, and swaps between them', async () => {
    const engine = new FakeEngine({
      calls: [
        call({ id: 'a', state: 'connected', answeredAt: 1 }),
        call({ id: 'b', direction: 'incoming', state: 'incoming', startedAt: 1_700_000_000_500 }),
      ],
    });
    const state = new CallsState(engine.bridge, new TestClock());
    await state.load();
    await state.answerAndHoldOther('b');
    expect(engine.bridge.calls.map((item) => item.name)).toEqual([
      'calls.list',
      'calls.hold',
      'calls.answer',
    ]);
    expect(state.active?.id).toBe('b');
    expect(state.others.map((item) => item.id)).toEqual(['a']);
    await state.swap('a');
    expect(state.active?.id).toBe('a');
    expect(state.list.find((item) => item.id === 'b')?.state).toBe('on-hold');
    expect(state.list.find((item) => item.id === 'a')?.state).toBe('connected');
  });

  it('keeps the latest quality report per known call and forgets it when the call ends', () => {
    const state = new CallsState(new FakeBridge(), new TestClock());
    state.receiveQuality(quality('ghost', 4));
    expect(state.quality('ghost')).toBeNull();
    state.receive(call({ id: 'a', state: 'connected', answeredAt: 1 }));
    state.receiveQuality(quality('a', 4.1));
    state.receiveQuality(quality('a', 3.2));
    expect(state.quality('a')?.mos).toBe(3.2);
    state.receive(
      call({ id: 'a', state: 'ended', end: { by: 'local', reason: 'hangup', status: null, detail: null } }),
    );
    expect(state.quality('a')).toBeNull();
  });

  it('ticks the talk time only while a call is answered', () => {
    const clock = new TestClock();
    const state = new CallsState(new FakeBridge(), clock);
    state.receive(call({ id: 'a', state: 'ringing' }));
    expect(clock.ticks).toHaveLength(0);
    state.receive(call({ id: 'a', state: 'connected', answeredAt: clock.time }));
    expect(clock.ticks).toHaveLength(1);
    clock.advance(83_000);
    expect(state.talkTime(state.active!)).toBe(83_000);
    state.receive(
      call({ id: 'a', state: 'ended', end: { by: 'local', reason: 'hangup', status: null, detail: null } }),
    );
    expect(clock.ticks).toHaveLength(0);
  });
});
