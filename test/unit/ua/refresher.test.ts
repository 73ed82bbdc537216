import { describe, expect, it } from 'vitest';
import { backoffDelayFor } from '../../../main/ua/backoff';
import {
  DEFAULT_REFRESH_POLICY,
  type Exchange,
  INITIAL_REFRESHER_STATE,
  Refresher,
  type RefreshPolicy,
  stepRefresher,
} from '../../../main/ua/refresher';
import { ManualClock } from '../../support/manual-clock';
import { SeededRandom } from '../../support/seeded-random';

const POLICY: RefreshPolicy = { ...DEFAULT_REFRESH_POLICY, backoff: { baseMs: 1_000, maxMs: 8_000 } };

describe('stepRefresher (pure)', () => {
  it('start sends the first exchange of a new generation', () => {
    const step = stepRefresher(INITIAL_REFRESHER_STATE, { kind: 'start' }, POLICY);
    expect(step.state).toEqual({ phase: 'sending', generation: 1, attempt: 1, failures: 0 });
    expect(step.actions).toEqual([
      { kind: 'clear-timer' },
      { kind: 'send', generation: 1, attempt: 1, cause: 'start' },
    ]);
  });

  it('a success schedules the refresh at 90% of the lifetime, never sooner than the floor', () => {
    const sending = stepRefresher(INITIAL_REFRESHER_STATE, { kind: 'start' }, POLICY).state;
    const long = stepRefresher(sending, { kind: 'succeeded', generation: 1, lifetimeSeconds: 600 }, POLICY);
    expect(long.state.phase).toBe('waiting-refresh');
    expect(long.actions).toEqual([
      { kind: 'set-timer', delayMs: 540_000, generation: 1, purpose: 'refresh' },
    ]);
    const brief = stepRefresher(sending, { kind: 'succeeded', generation: 1, lifetimeSeconds: 0.1 }, POLICY);
    expect(brief.actions).toEqual([{ kind: 'set-timer', delayMs: 500, generation: 1, purpose: 'refresh' }]);
  });

  it('the refresh timer sends the next exchange in a new generation', () => {
    let state = stepRefresher(INITIAL_REFRESHER_STATE, { kind: 'start' }, POLICY).state;
    state = stepRefresher(state, { kind: 'succeeded', generation: 1, lifetimeSeconds: 60 }, POLICY).state;
    const fired = stepRefresher(state, { kind: 'timer-fired', generation: 1 }, POLICY);
    expect(fired.state).toEqual({ phase: 'sending', generation: 2, attempt: 2, failures: 0 });
    expect(fired.actions).toEqual([{ kind: 'send', generation: 2, attempt: 2, cause: 'refresh' }]);
  });

  it('failures back off exponentially up to the cap, and a success resets the count', () => {
    let state = stepRefresher(INITIAL_REFRESHER_STATE, { kind: 'start' }, POLICY).state;
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const failed = stepRefresher(
        state,
        { kind: 'failed', generation: state.generation, retry: true, jitter: 0.999999 },
        POLICY,
      );
      const timer = failed.actions[0];
      if (timer?.kind !== 'set-timer') throw new Error('no retry timer');
      expect(timer.purpose).toBe('retry');
      delays.push(timer.delayMs);
      const retried = stepRefresher(
        failed.state,
        { kind: 'timer-fired', generation: timer.generation },
        POLICY,
      );
      expect(retried.actions[0]).toMatchObject({ kind: 'send', cause: 'retry' });
      state = retried.state;
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(state.failures).toBe(5);
    state = stepRefresher(
      state,
      { kind: 'succeeded', generation: state.generation, lifetimeSeconds: 60 },
      POLICY,
    ).state;
    expect(state.failures).toBe(0);
  });

  it('jitter scales the backoff between half and all of its ceiling', () => {
    expect(backoffDelayFor({ baseMs: 1_000, maxMs: 8_000 }, 3, 0)).toBe(2_000);
    expect(backoffDelayFor({ baseMs: 1_000, maxMs: 8_000 }, 3, 0.5)).toBe(3_000);
    expect(backoffDelayFor({ baseMs: 1_000, maxMs: 8_000 }, 40, 0.999999)).toBe(8_000);
  });

  it('a failure that retrying cannot fix goes idle without a timer', () => {
    const sending = stepRefresher(INITIAL_REFRESHER_STATE, { kind: 'start' }, POLICY).state;
    const failed = stepRefresher(sending, { kind: 'failed', generation: 1, retry: false, jitter: 0 }, POLICY);
    expect(failed.state).toMatchObject({ phase: 'idle', failures: 1 });
    expect(failed.actions).toEqual([]);
  });

  it('ignores outcomes and timers of an abandoned generation', () => {
    let state = stepRefresher(INITIAL_REFRESHER_STATE, { kind: 'start' }, POLICY).state;
    state = stepRefresher(state, { kind: 'start' }, POLICY).state;
    expect(state.generation).toBe(2);
    for (const input of [
      { kind: 'succeeded', generation: 1, lifetimeSeconds: 60 },
      { kind: 'failed', generation: 1, retry: true, jitter: 0 },
      { kind: 'timer-fired', generation: 1 },
    ] as const) {
      const step = stepRefresher(state, input, POLICY);
      expect(step.state).toBe(state);
      expect(step.actions).toEqual([]);
    }
  });

  it('a shorter lifetime heard meanwhile brings the pending refresh forward, never back (RFC 6665 §4.1.2.2)', () => {
    let state = stepRefresher(INITIAL_REFRESHER_STATE, { kind: 'start' }, POLICY).state;
    state = stepRefresher(state, { kind: 'succeeded', generation: 1, lifetimeSeconds: 600 }, POLICY).state;
    const sooner = stepRefresher(
      state,
      { kind: 'expires-sooner', lifetimeSeconds: 100, remainingMs: 540_000 },
      POLICY,
    );
    expect(sooner.state).toEqual(state);
    expect(sooner.actions).toEqual([
      { kind: 'set-timer', delayMs: 90_000, generation: 1, purpose: 'refresh' },
    ]);
    // A lifetime that would refresh later than already planned changes nothing.
    expect(
      stepRefresher(state, { kind: 'expires-sooner', lifetimeSeconds: 700, remainingMs: 540_000 }, POLICY)
        .actions,
    ).toEqual([]);
    // While sending or retrying, the next success or retry decides: nothing to move.
    const sending = stepRefresher(INITIAL_REFRESHER_STATE, { kind: 'start' }, POLICY).state;
    expect(
      stepRefresher(sending, { kind: 'expires-sooner', lifetimeSeconds: 1, remainingMs: 0 }, POLICY).actions,
    ).toEqual([]);
  });

  it('stop abandons everything in flight and clears the timer', () => {
    let state = stepRefresher(INITIAL_REFRESHER_STATE, { kind: 'start' }, POLICY).state;
    state = stepRefresher(state, { kind: 'succeeded', generation: 1, lifetimeSeconds: 60 }, POLICY).state;
    const stopped = stepRefresher(state, { kind: 'stop' }, POLICY);
    expect(stopped.state).toMatchObject({ phase: 'idle', generation: 2 });
    expect(stopped.actions).toEqual([{ kind: 'clear-timer' }]);
    expect(stepRefresher(stopped.state, { kind: 'timer-fired', generation: 1 }, POLICY).actions).toEqual([]);
  });
});

describe('Refresher (adapter on a manual clock)', () => {
  function setup() {
    const clock = new ManualClock();
    const sent: Array<Exchange & { at: number }> = [];
    const refresher = new Refresher({
      clock,
      random: new SeededRandom(3),
      policy: { backoff: { baseMs: 1_000, maxMs: 8_000 } },
      send: (exchange) => sent.push({ ...exchange, at: clock.now() }),
    });
    return { clock, sent, refresher };
  }

  it('refreshes at 90% of the granted lifetime, to the millisecond', () => {
    const { clock, sent, refresher } = setup();
    refresher.start();
    expect(sent).toEqual([{ generation: 1, attempt: 1, cause: 'start', at: 0 }]);
    refresher.succeeded(1, 100);
    expect(refresher.nextInMs).toBe(90_000);
    clock.advance(89_999);
    expect(sent).toHaveLength(1);
    clock.advance(1);
    expect(sent.at(-1)).toEqual({ generation: 2, attempt: 2, cause: 'refresh', at: 90_000 });
    expect(refresher.nextInMs).toBeUndefined();
  });

  it('retries after the backoff it reports, and only then', () => {
    const { clock, sent, refresher } = setup();
    refresher.start();
    const delay = refresher.failed(1, true);
    expect(delay).toBeGreaterThanOrEqual(500);
    expect(delay).toBeLessThanOrEqual(1_000);
    clock.advance(delay! - 1);
    expect(sent).toHaveLength(1);
    clock.advance(1);
    expect(sent.at(-1)).toMatchObject({ generation: 2, attempt: 2, cause: 'retry' });
  });

  it('reports no retry for a failure not worth retrying, and schedules nothing', () => {
    const { clock, refresher } = setup();
    refresher.start();
    expect(refresher.failed(1, false)).toBeUndefined();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('a restart forgets the pending timer; the old exchange is no longer current', () => {
    const { clock, sent, refresher } = setup();
    refresher.start();
    refresher.succeeded(1, 60);
    refresher.start();
    expect(refresher.isCurrent(1)).toBe(false);
    expect(refresher.isCurrent(2)).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
    // A late answer to the abandoned exchange changes nothing.
    refresher.failed(1, true);
    expect(clock.pendingTimers()).toBe(0);
    expect(sent.map((s) => s.cause)).toEqual(['start', 'start']);
  });

  it('expiresSooner moves the pending refresh to 90% of the shorter lifetime and says so', () => {
    const { clock, sent, refresher } = setup();
    refresher.start();
    refresher.succeeded(1, 600);
    clock.advance(10_000);
    expect(refresher.expiresSooner(700)).toBe(false);
    expect(refresher.nextInMs).toBe(530_000);
    expect(refresher.expiresSooner(50)).toBe(true);
    expect(refresher.nextInMs).toBe(45_000);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(45_000);
    expect(sent.at(-1)).toEqual({ generation: 2, attempt: 2, cause: 'refresh', at: 55_000 });
  });

  it('stop returns a generation of its own for a closing exchange, and stops every timer', () => {
    const { clock, refresher } = setup();
    refresher.start();
    refresher.succeeded(1, 60);
    const closing = refresher.stop();
    expect(closing).toBe(2);
    expect(refresher.isCurrent(closing)).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
    expect(refresher.state.phase).toBe('idle');
  });
});
