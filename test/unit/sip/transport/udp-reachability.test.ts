import { describe, expect, it } from 'vitest';
import { UdpReachability } from '../../../../main/sip/transport/udp-reachability';
import type { Destination } from '../../../../main/sip/transport/types';
import { LoopbackNetwork } from '../../../support/loopback-network';
import { ManualClock } from '../../../support/manual-clock';
import { settle } from '../../../support/settle';

const CLOSED: Destination = { protocol: 'udp', address: '127.0.0.1', port: 5999 };
const OPEN: Destination = { protocol: 'udp', address: '127.0.0.1', port: 5070 };

async function setup(options: { maxProbes?: number } = {}) {
  const clock = new ManualClock();
  const network = new LoopbackNetwork({ clock, reportUnreachable: true });
  const server = await network.bindDatagram(OPEN.address, OPEN.port);
  const probes: string[] = [];
  server.onMessage((data) => probes.push(Buffer.from(data).toString('latin1')));
  const reachability = new UdpReachability({
    sockets: network,
    clock,
    localAddress: '127.0.0.1',
    windowMs: 2_000,
    ...options,
  });
  const unreachable: string[] = [];
  reachability.onUnreachable((destination, code) => unreachable.push(`${destination.port} ${code}`));
  return { clock, network, reachability, unreachable, probes, run: () => settle(clock) };
}

describe('UdpReachability', () => {
  it('reports a destination where nothing listens', async () => {
    const { reachability, unreachable, run } = await setup();
    reachability.probe(CLOSED);
    await run();
    expect(unreachable).toEqual(['5999 ECONNREFUSED']);
    expect(reachability.openProbes).toBe(0);
  });

  it('sends a double CRLF and reports nothing where a peer listens; the probe closes after its window', async () => {
    const { clock, reachability, unreachable, probes, run } = await setup();
    reachability.probe(OPEN);
    await run();
    expect(probes).toEqual(['\r\n\r\n']);
    expect(reachability.openProbes).toBe(1);
    clock.advance(2_000);
    await run();
    expect(reachability.openProbes).toBe(0);
    expect(unreachable).toEqual([]);
  });

  it('keeps one probe per destination while it listens (retransmissions add none)', async () => {
    const { reachability, probes, run } = await setup();
    reachability.probe(OPEN);
    reachability.probe(OPEN);
    await run();
    expect(probes).toHaveLength(1);
  });

  it('opens at most maxProbes sockets at once', async () => {
    const { reachability, run } = await setup({ maxProbes: 2 });
    for (let port = 6000; port < 6005; port++) reachability.probe({ ...OPEN, port });
    expect(reachability.openProbes).toBe(2);
    await run();
  });

  it('gives up quietly when no probe socket can be had', async () => {
    const clock = new ManualClock();
    const network = new LoopbackNetwork({ clock });
    const reachability = new UdpReachability({
      sockets: {
        bindDatagram: (address, port) => network.bindDatagram(address, port),
        listenStream: (address, port) => network.listenStream(address, port),
        connectStream: (address, port) => network.connectStream(address, port),
        connectDatagram: () => Promise.reject(Object.assign(new Error('too many files'), { code: 'EMFILE' })),
      },
      clock,
      localAddress: '127.0.0.1',
    });
    const unreachable: Destination[] = [];
    reachability.onUnreachable((destination) => unreachable.push(destination));
    reachability.probe(CLOSED);
    await settle(clock);
    expect(unreachable).toEqual([]);
    expect(reachability.openProbes).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('reports nothing once closed', async () => {
    const { reachability, unreachable, run } = await setup();
    reachability.probe(CLOSED);
    reachability.close();
    await run();
    expect(unreachable).toEqual([]);
    reachability.probe(CLOSED);
    expect(reachability.openProbes).toBe(0);
  });
});
