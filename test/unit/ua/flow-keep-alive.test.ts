import { describe, expect, it } from 'vitest';
import type { Destination } from '../../../main/sip/transport/types';
import { FlowKeepAlive, FlowTable, flowKey } from '../../../main/ua/flow-keep-alive';
import { ManualClock } from '../../support/manual-clock';

const UDP: Destination = { protocol: 'udp', address: '10.0.0.1', port: 5060 };
const TCP: Destination = { protocol: 'tcp', address: '10.0.0.1', port: 5060 };

/** Lets the probes' promise callbacks run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function crlfTransport() {
  const sent: Array<{ destination: Destination; at: number }> = [];
  let failing = false;
  return {
    sent,
    fail: () => {
      failing = true;
    },
    sendCrlf(clock: ManualClock) {
      return (destination: Destination): Promise<void> => {
        sent.push({ destination, at: clock.now() });
        return failing ? Promise.reject(new Error('connection reset')) : Promise.resolve();
      };
    },
  };
}

describe('FlowKeepAlive', () => {
  it('pings with CRLF at the interval while watched, and stops when nobody watches', async () => {
    const clock = new ManualClock();
    const transport = crlfTransport();
    const flow = new FlowKeepAlive({ clock, destination: UDP, sendCrlf: transport.sendCrlf(clock) });
    const unwatch = flow.watch({
      keepAlive: { kind: 'crlf', intervalMs: 25_000 },
      onFailed: () => undefined,
    });
    clock.advance(24_999);
    expect(transport.sent).toHaveLength(0);
    clock.advance(1);
    clock.advance(25_000);
    await flush();
    expect(transport.sent.map((s) => s.at)).toEqual([25_000, 50_000]);
    unwatch();
    clock.advance(100_000);
    expect(transport.sent).toHaveLength(2);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('sends one keep-alive for all its watchers, at the shortest interval asked for', async () => {
    const clock = new ManualClock();
    const transport = crlfTransport();
    const flow = new FlowKeepAlive({ clock, destination: UDP, sendCrlf: transport.sendCrlf(clock) });
    const slow = flow.watch({ keepAlive: { kind: 'crlf', intervalMs: 60_000 }, onFailed: () => undefined });
    flow.watch({ keepAlive: { kind: 'crlf', intervalMs: 20_000 }, onFailed: () => undefined });
    flow.watch({ onFailed: () => undefined });
    clock.advance(60_000);
    await flush();
    expect(transport.sent.map((s) => s.at)).toEqual([20_000, 40_000, 60_000]);
    slow();
    expect(flow.watcherCount).toBe(2);
  });

  it('pings a datagram flow with OPTIONS when asked, one at a time, and fails the flow on silence', async () => {
    const clock = new ManualClock();
    const transport = crlfTransport();
    const flow = new FlowKeepAlive({ clock, destination: UDP, sendCrlf: transport.sendCrlf(clock) });
    const pings: Array<(alive: boolean) => void> = [];
    const failures: string[] = [];
    flow.watch({
      keepAlive: { kind: 'options', intervalMs: 10_000 },
      ping: () => new Promise<boolean>((resolve) => pings.push(resolve)),
      onFailed: (detail) => failures.push(detail),
    });
    clock.advance(10_000);
    expect(pings).toHaveLength(1);
    pings[0]!(true);
    await flush();
    clock.advance(10_000);
    expect(pings).toHaveLength(2);
    // Still unanswered at the next tick: no second ping piles up behind it.
    clock.advance(10_000);
    expect(pings).toHaveLength(2);
    pings[1]!(false);
    await flush();
    expect(failures).toEqual(['no answer to the OPTIONS keep-alive']);
    expect(transport.sent).toHaveLength(0);
    expect(flow.watcherCount).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('pings a stream with CRLF even when OPTIONS was asked for (RFC 5626 §3.5.1)', async () => {
    const clock = new ManualClock();
    const transport = crlfTransport();
    const flow = new FlowKeepAlive({ clock, destination: TCP, sendCrlf: transport.sendCrlf(clock) });
    let pinged = 0;
    flow.watch({
      keepAlive: { kind: 'options', intervalMs: 10_000 },
      ping: () => {
        pinged++;
        return Promise.resolve(true);
      },
      onFailed: () => undefined,
    });
    clock.advance(10_000);
    await flush();
    expect(transport.sent).toHaveLength(1);
    expect(pinged).toBe(0);
  });

  it('tells every watcher once when a CRLF cannot be sent, then forgets them', async () => {
    const clock = new ManualClock();
    const transport = crlfTransport();
    const flow = new FlowKeepAlive({ clock, destination: TCP, sendCrlf: transport.sendCrlf(clock) });
    const heard: string[] = [];
    flow.watch({ keepAlive: { kind: 'crlf', intervalMs: 5_000 }, onFailed: (d) => heard.push(`a: ${d}`) });
    flow.watch({
      onFailed: () => {
        throw new Error('a buggy watcher');
      },
    });
    flow.watch({ onFailed: (d) => heard.push(`c: ${d}`) });
    transport.fail();
    clock.advance(5_000);
    await flush();
    expect(heard).toEqual([
      'a: keep-alive could not be sent: connection reset',
      'c: keep-alive could not be sent: connection reset',
    ]);
    flow.closed();
    expect(heard).toHaveLength(2);
  });
});

describe('FlowKeepAlive pong liveness on streams (RFC 5626 §4.4.1)', () => {
  function streamFlow() {
    const clock = new ManualClock();
    const transport = crlfTransport();
    const flow = new FlowKeepAlive({ clock, destination: TCP, sendCrlf: transport.sendCrlf(clock) });
    const failures: string[] = [];
    flow.watch({
      keepAlive: { kind: 'crlf', intervalMs: 30_000 },
      onFailed: (detail) => failures.push(detail),
    });
    return { clock, transport, flow, failures };
  }

  it('does not hold a server that never answers pings to an answer', async () => {
    const { clock, transport, failures } = streamFlow();
    clock.advance(30_000);
    await flush();
    clock.advance(90_000);
    await flush();
    expect(transport.sent).toHaveLength(4);
    expect(failures).toEqual([]);
  });

  it('fails the flow when a server that answered pings stays silent for 10 s after one', async () => {
    const { clock, flow, failures } = streamFlow();
    clock.advance(30_000);
    await flush();
    flow.pong();
    clock.advance(30_000);
    await flush();
    clock.advance(9_999);
    expect(failures).toEqual([]);
    clock.advance(1);
    expect(failures).toEqual(['no pong within 10 s of a keep-alive ping']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('keeps the flow while the pongs come in time', async () => {
    const { clock, transport, flow, failures } = streamFlow();
    clock.advance(30_000);
    await flush();
    flow.pong();
    clock.advance(30_000);
    // Each ping (every 30 s) is answered just before its 10 s are up.
    for (let i = 0; i < 4; i++) {
      await flush();
      clock.advance(9_999);
      flow.pong();
      clock.advance(20_001);
    }
    expect(transport.sent).toHaveLength(6);
    expect(failures).toEqual([]);
  });

  it('never waits for a pong on a datagram flow', async () => {
    const clock = new ManualClock();
    const transport = crlfTransport();
    const flow = new FlowKeepAlive({ clock, destination: UDP, sendCrlf: transport.sendCrlf(clock) });
    const failures: string[] = [];
    flow.watch({
      keepAlive: { kind: 'crlf', intervalMs: 30_000 },
      onFailed: (detail) => failures.push(detail),
    });
    flow.pong();
    clock.advance(120_000);
    await flush();
    expect(failures).toEqual([]);
  });
});

describe('FlowTable', () => {
  it('shares one flow per destination and forgets it when the last watcher leaves', () => {
    const clock = new ManualClock();
    const table = new FlowTable({ clock, sendCrlf: () => Promise.resolve() });
    const a = table.watch(TCP, { onFailed: () => undefined });
    const b = table.watch({ ...TCP, address: '10.0.0.1' }, { onFailed: () => undefined });
    table.watch(UDP, { onFailed: () => undefined });
    expect(table.size).toBe(2);
    a();
    expect(table.has(TCP)).toBe(true);
    b();
    expect(table.has(TCP)).toBe(false);
    expect(table.size).toBe(1);
  });

  it('reports a closed connection to the watchers of that flow only', () => {
    const clock = new ManualClock();
    const table = new FlowTable({ clock, sendCrlf: () => Promise.resolve() });
    const heard: string[] = [];
    table.watch(TCP, { onFailed: (detail) => heard.push(`tcp: ${detail}`) });
    table.watch(UDP, { onFailed: (detail) => heard.push(`udp: ${detail}`) });
    table.closed({ protocol: 'tcp', address: '10.0.0.9', port: 5060 });
    expect(heard).toEqual([]);
    table.closed({ protocol: 'tcp', address: '10.0.0.1', port: 5060 });
    expect(heard).toEqual(['tcp: the connection closed']);
    expect(table.has(TCP)).toBe(false);
    expect(table.has(UDP)).toBe(true);
  });

  it('keys flows by transport, bare address and port', () => {
    expect(flowKey({ protocol: 'tcp', address: '[2001:DB8::1]', port: 5060 })).toBe(
      flowKey({ protocol: 'tcp', address: '2001:db8::1', port: 5060 }),
    );
    expect(flowKey(UDP)).not.toBe(flowKey(TCP));
  });
});
