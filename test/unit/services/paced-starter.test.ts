import { describe, expect, it } from 'vitest';
import { PacedStarter } from '../../../main/services/paced-starter';
import { ManualClock } from '../../support/manual-clock';

function setup(batch = 3, intervalMs = 50) {
  const clock = new ManualClock();
  const errors: unknown[] = [];
  const starter = new PacedStarter(clock, { batch, intervalMs }, (error) => errors.push(error));
  const ran: string[] = [];
  const queue = (key: string) => starter.enqueue(key, () => ran.push(key));
  return { clock, starter, ran, queue, errors };
}

describe('PacedStarter', () => {
  it('starts nothing synchronously, then one batch per interval, in order', () => {
    const { clock, starter, ran, queue } = setup();
    for (const key of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) queue(key);
    expect(ran).toEqual([]);
    clock.advance(0);
    expect(ran).toEqual(['a', 'b', 'c']);
    clock.advance(49);
    expect(ran).toHaveLength(3);
    clock.advance(1);
    expect(ran).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    clock.advance(50);
    expect(ran).toHaveLength(7);
    expect(starter.size).toBe(0);
    clock.advance(1_000);
    expect(ran).toHaveLength(7);
  });

  it('a key queued again runs once, with its newest work; a cancelled key does not run', () => {
    const { clock, starter, ran, queue } = setup();
    queue('a');
    queue('b');
    starter.enqueue('a', () => ran.push('a2'));
    starter.cancel('b');
    clock.advance(0);
    expect(ran).toEqual(['a2']);
  });

  it('an error in one piece of work is reported and the rest still run', () => {
    const { clock, starter, ran, queue, errors } = setup();
    queue('a');
    starter.enqueue('bad', () => {
      throw new Error('boom');
    });
    queue('c');
    clock.advance(0);
    expect(ran).toEqual(['a', 'c']);
    expect(errors).toHaveLength(1);
  });

  it('after close nothing waiting runs and nothing new is taken', () => {
    const { clock, starter, ran, queue } = setup(1);
    queue('a');
    queue('b');
    clock.advance(0);
    starter.close();
    queue('c');
    clock.advance(1_000);
    expect(ran).toEqual(['a']);
    expect(starter.size).toBe(0);
  });
});
