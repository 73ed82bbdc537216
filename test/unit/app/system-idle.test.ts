import { describe, expect, it } from 'vitest';
import { systemIdleSource } from '../../../main/app/system-idle';
import { neverIdle } from '../../../main/platform/idle-source';

describe('systemIdleSource', () => {
  it('reads powerMonitor.getSystemIdleTime each time it is asked', () => {
    let seconds = 5;
    const idle = systemIdleSource({ getSystemIdleTime: () => seconds });
    expect(idle.idleSeconds()).toBe(5);
    seconds = 700;
    expect(idle.idleSeconds()).toBe(700);
  });

  it('reads what the OS cannot say (negative, NaN) as not idle', () => {
    expect(systemIdleSource({ getSystemIdleTime: () => -1 }).idleSeconds()).toBe(0);
    expect(systemIdleSource({ getSystemIdleTime: () => Number.NaN }).idleSeconds()).toBe(0);
  });

  it('the web host’s source is never idle', () => {
    expect(neverIdle.idleSeconds()).toBe(0);
  });
});
