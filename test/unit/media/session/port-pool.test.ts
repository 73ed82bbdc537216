import { describe, expect, it } from 'vitest';
import { PortPool } from '../../../../main/media/session/port-pool';

function counter(): () => number {
  let next = 1;
  return () => next++;
}

const ports = (rtpPort: number): { rtpPort: number; rtcpPort: number } => ({
  rtpPort,
  rtcpPort: rtpPort + 1,
});

describe('PortPool', () => {
  it('asks for `size` pairs per address, and no more while they are ready or being bound', () => {
    const pool = new PortPool({ size: 2, maxAddresses: 2 });
    const next = counter();
    expect(pool.plan('127.0.0.1', next)).toEqual({ reserve: [1, 2], release: [] });
    expect(pool.plan('127.0.0.1', next)).toEqual({ reserve: [], release: [] });
    expect(pool.settled('127.0.0.1', 1, ports(5000))).toBe('kept');
    expect(pool.plan('127.0.0.1', next)).toEqual({ reserve: [], release: [] });
    expect(pool.readyCount('127.0.0.1')).toBe(1);
    expect(pool.bindingCount('127.0.0.1')).toBe(1);
  });

  it('hands each ready pair out once, oldest first, and refills what was taken', () => {
    const pool = new PortPool({ size: 2, maxAddresses: 2 });
    const next = counter();
    pool.plan('127.0.0.1', next);
    pool.settled('127.0.0.1', 1, ports(5000));
    pool.settled('127.0.0.1', 2, ports(5002));
    expect(pool.take('127.0.0.1')).toEqual({ reservation: 1, ports: ports(5000) });
    expect(pool.plan('127.0.0.1', next)).toEqual({ reserve: [3], release: [] });
    expect(pool.take('127.0.0.1')).toEqual({ reservation: 2, ports: ports(5002) });
    // Exhausted until the refill is bound: the caller binds as it would without a pool.
    expect(pool.take('127.0.0.1')).toBeUndefined();
    pool.settled('127.0.0.1', 3, ports(5004));
    expect(pool.take('127.0.0.1')?.reservation).toBe(3);
  });

  it('serves an address only pairs bound on that very address', () => {
    const pool = new PortPool({ size: 1, maxAddresses: 2 });
    const next = counter();
    pool.plan('127.0.0.1', next);
    pool.settled('127.0.0.1', 1, ports(5000));
    expect(pool.take('::1')).toBeUndefined();
    expect(pool.take('192.0.2.7')).toBeUndefined();
    expect(pool.take('127.0.0.1')?.reservation).toBe(1);
  });

  it('gives up the least recently used address for a new one: its ready pairs are released, late ones too', () => {
    const pool = new PortPool({ size: 1, maxAddresses: 2 });
    const next = counter();
    pool.plan('10.0.0.1', next); // 1
    pool.plan('10.0.0.2', next); // 2
    pool.settled('10.0.0.1', 1, ports(5000));
    // 10.0.0.1 was used last, so 10.0.0.2 (its pair still being bound) goes.
    pool.take('10.0.0.1');
    pool.plan('10.0.0.1', next); // 3
    expect(pool.plan('10.0.0.3', next)).toEqual({ reserve: [4], release: [] });
    expect(pool.settled('10.0.0.2', 2, ports(6000))).toBe('release');
    pool.settled('10.0.0.1', 3, ports(5002));
    // Now 10.0.0.1 is the oldest, and its ready pair is released at once.
    expect(pool.plan('10.0.0.4', next)).toEqual({ reserve: [5], release: [3] });
    expect(pool.take('10.0.0.1')).toBeUndefined();
  });

  it('forgets a pair the worker could not bind, and asks again on the next plan', () => {
    const pool = new PortPool({ size: 1, maxAddresses: 2 });
    const next = counter();
    pool.plan('127.0.0.1', next);
    expect(pool.settled('127.0.0.1', 1, undefined)).toBe('none');
    expect(pool.plan('127.0.0.1', next)).toEqual({ reserve: [2], release: [] });
  });

  it('clears: the ready pairs are answered, and pairs settling afterwards are released', () => {
    const pool = new PortPool({ size: 2, maxAddresses: 2 });
    const next = counter();
    pool.plan('127.0.0.1', next);
    pool.settled('127.0.0.1', 1, ports(5000));
    expect(pool.clear()).toEqual([1]);
    expect(pool.settled('127.0.0.1', 2, ports(5002))).toBe('release');
    expect(pool.take('127.0.0.1')).toBeUndefined();
  });

  it('is off at size 0: it asks for nothing and has nothing', () => {
    const pool = new PortPool({ size: 0, maxAddresses: 2 });
    expect(pool.enabled).toBe(false);
    expect(pool.plan('127.0.0.1', counter())).toEqual({ reserve: [], release: [] });
    expect(pool.take('127.0.0.1')).toBeUndefined();
  });
});
