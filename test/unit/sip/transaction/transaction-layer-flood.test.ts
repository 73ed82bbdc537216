// A burst larger than the server transaction cap on the in-memory network, all at one instant of a manual clock: the
// layer keeps exactly `maxServerTransactions`, answers the rest with a stateless 503 and Retry-After, lets every
// transaction go once Timer J has run, and the memory they held is given back.
import { describe, expect, it } from 'vitest';
import { createResponse } from '../../../../main/sip/message/builders';
import { TransactionLayer } from '../../../../main/sip/transaction/transaction-layer';
import { TransportLayer } from '../../../../main/sip/transport/transport-layer';
import { MiB, retainedBytes } from '../../../support/heap';
import { LoopbackNetwork } from '../../../support/loopback-network';
import { ManualClock } from '../../../support/manual-clock';
import { SeededRandom } from '../../../support/seeded-random';

const BURST = 12_000;
const CAP = 4_000;

function options(index: number): Uint8Array {
  return Buffer.from(
    [
      'OPTIONS sip:softphone@127.0.0.1 SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.2:5070;rport;branch=z9hG4bKburst${index}`,
      'Max-Forwards: 70',
      'From: <sip:burst@127.0.0.2>;tag=b',
      'To: <sip:softphone@127.0.0.1>',
      `Call-ID: burst-${index}@127.0.0.2`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

describe('TransactionLayer under a burst past its cap (in-memory network)', () => {
  it('holds the cap, refuses the rest with 503, and gives everything back after Timer J', async () => {
    const clock = new ManualClock();
    const network = new LoopbackNetwork({ clock });
    const transport = await TransportLayer.start({
      sockets: network,
      clock,
      bindAddress: '127.0.0.1',
      port: 5060,
      protocols: ['udp'],
    });
    const layer = new TransactionLayer({
      clock,
      random: new SeededRandom(3),
      transport,
      maxServerTransactions: CAP,
      user: {
        onRequest: (request, transaction) =>
          transaction.respond(createResponse(request, 200, { toTag: 'ok' })),
        onAck: () => undefined,
        onStray2xx: () => undefined,
        onCancel: () => undefined,
      },
    });
    transport.onMessage((incoming) => layer.receive(incoming));
    const peer = await network.bindDatagram('127.0.0.2', 5070);
    const statuses = new Map<number, number>();
    let retryAfter = '';
    peer.onMessage((data) => {
      const text = Buffer.from(data).toString('latin1');
      const status = Number(text.slice(8, 11));
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status === 503) retryAfter = /\r\nRetry-After: (\d+)/i.exec(text)?.[1] ?? '';
    });
    const baseline = await retainedBytes();

    for (let i = 0; i < BURST; i++) peer.send(options(i), 5060, '127.0.0.1');
    clock.advance(0);
    clock.advance(0);
    const live = layer.activeTransactions().server;
    // The network's own trace of every datagram is not the layer's memory.
    network.clearTrace();
    const holding = await retainedBytes();
    clock.advance(64 * 500);
    network.clearTrace();
    const after = await retainedBytes();

    console.info(
      `burst: ${BURST} requests, cap ${CAP}: ${JSON.stringify(Object.fromEntries(statuses))}; retained ` +
        `baseline ${(baseline / MiB).toFixed(1)} MiB, holding ${(holding / MiB).toFixed(1)} MiB, ` +
        `after Timer J ${(after / MiB).toFixed(1)} MiB`,
    );
    expect(live).toBe(CAP);
    expect(Object.fromEntries(statuses)).toEqual({ 200: CAP, 503: BURST - CAP });
    expect(retryAfter).toBe('5');
    expect(layer.activeTransactions().server).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
    // 4,000 transactions hold several MiB; once they are gone, what is left is within a little of the baseline.
    expect(holding - baseline).toBeGreaterThan(8 * MiB);
    expect(after - baseline).toBeLessThan(4 * MiB);
    transport.close();
  });
});
