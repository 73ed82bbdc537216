// RegistrationsState counts a retry down from when its status arrived, with a tick only while something waits.
import { describe, expect, it } from 'vitest';
import type { CountdownClock } from '../../../renderer/src/lib/state/registrations.svelte';
import { RegistrationsState } from '../../../renderer/src/lib/state/registrations.svelte';
import { FakeBridge } from '../support/fake-bridge';
import { status } from '../support/fake-engine';

class TestClock implements CountdownClock {
  time = 1_000;
  readonly ticks = new Set<() => void>();
  now(): number {
    return this.time;
  }
  every(_ms: number, tick: () => void): () => void {
    this.ticks.add(tick);
    return () => this.ticks.delete(tick);
  }
  advance(ms: number): void {
    this.time += ms;
    for (const tick of [...this.ticks]) tick();
  }
}

const failed = status({
  accountId: 'a1',
  state: 'failed',
  failure: 'timeout',
  status: 408,
  retryInMs: 12_000,
  server: '127.0.0.1:5299',
});

describe('RegistrationsState countdown', () => {
  it('counts the retry down from when the status arrived', () => {
    const clock = new TestClock();
    const state = new RegistrationsState(new FakeBridge(), clock);
    state.receive(failed);
    expect(state.line('a1')).toBe('No answer from 127.0.0.1:5299 · retrying in 12 s');
    clock.advance(1_000);
    expect(state.retryInMs('a1')).toBe(11_000);
    expect(state.line('a1')).toBe('No answer from 127.0.0.1:5299 · retrying in 11 s');
    clock.advance(30_000);
    expect(state.retryInMs('a1')).toBe(0);
  });

  it('ticks only while some account waits for a retry', () => {
    const clock = new TestClock();
    const state = new RegistrationsState(new FakeBridge(), clock);
    state.receive(status({ accountId: 'a1', state: 'registering' }));
    expect(clock.ticks.size).toBe(0);
    state.receive(failed);
    expect(clock.ticks.size).toBe(1);
    state.receive(
      status({
        accountId: 'a1',
        state: 'registering',
        lastFailure: { failure: 'timeout', status: 408, detail: '408' },
        server: '127.0.0.1:5299',
      }),
    );
    expect(clock.ticks.size).toBe(0);
    expect(state.line('a1')).toBe('No answer from 127.0.0.1:5299 · trying again…');
  });

  it('counts a status from registration.list from when the list arrived', async () => {
    const clock = new TestClock();
    const bridge = new FakeBridge().handle('registration.list', () => ({ ok: true, value: [failed] }));
    const state = new RegistrationsState(bridge, clock);
    clock.advance(5_000);
    await state.load();
    expect(state.retryInMs('a1')).toBe(12_000);
    clock.advance(2_000);
    expect(state.retryInMs('a1')).toBe(10_000);
    state.dispose();
    expect(clock.ticks.size).toBe(0);
  });
});
