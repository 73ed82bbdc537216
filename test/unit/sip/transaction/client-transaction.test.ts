import { describe, expect, it } from 'vitest';
import type { SipRequest } from '../../../../main/sip/message/message';
import {
  type ClientTransactionHandle,
  isSynthesizedResponse,
} from '../../../../main/sip/transaction/client-transaction';
import { TransactionLayer } from '../../../../main/sip/transaction/transaction-layer';
import { TransportLayer } from '../../../../main/sip/transport/transport-layer';
import type { Destination, MessageSource } from '../../../../main/sip/transport/types';
import { LoopbackNetwork } from '../../../support/loopback-network';
import { ManualClock } from '../../../support/manual-clock';
import { SeededRandom } from '../../../support/seeded-random';
import {
  FakeTransport,
  RecordingClientUser,
  UDP_PEER,
  outgoingRequest,
  responseTo,
  settle,
  wireRequest,
} from './harness';

/** A transport that, like TransportLayer for a request over 1300 bytes, sends UDP requests over TCP instead. */
class SwitchingTransport extends FakeTransport {
  override sendRequest(request: SipRequest, destination: Destination): Promise<Destination> {
    return super
      .sendRequest(request, destination)
      .then((used) => (used.protocol === 'udp' ? { ...used, protocol: 'tcp' as const } : used));
  }
}

/** Where the peer's answer comes from: the TCP connection the request went out on. */
const TCP_SOURCE: MessageSource = {
  protocol: 'tcp',
  address: UDP_PEER.address,
  port: UDP_PEER.port,
  localAddress: '192.0.2.1',
  localPort: 5060,
};

function setup() {
  const clock = new ManualClock();
  const transport = new SwitchingTransport(clock);
  const layer = new TransactionLayer({ clock, random: new SeededRandom(3), transport });
  return { clock, transport, layer };
}

describe('client transaction whose request the transport moved from UDP to TCP (RFC 3261 §18.1.1)', () => {
  it('non-INVITE: no Timer E retransmissions, Timer F still times out', async () => {
    const { clock, transport, layer } = setup();
    const user = new RecordingClientUser();
    const transaction = layer.sendRequest(outgoingRequest('MESSAGE'), UDP_PEER, user);
    await settle();
    expect((transaction as ClientTransactionHandle).runningTimers).toEqual(['F']);
    clock.advance(31_999);
    expect(transport.requests('MESSAGE')).toHaveLength(1);
    clock.advance(1);
    expect(user.finals.map((r) => r.status)).toEqual([408]);
    expect(isSynthesizedResponse(user.finals[0]!)).toBe(true);
  });

  it('non-INVITE: a final response ends the transaction at once (Timer K zero)', async () => {
    const { transport, layer } = setup();
    const user = new RecordingClientUser();
    const transaction = layer.sendRequest(outgoingRequest('REGISTER'), UDP_PEER, user);
    await settle();
    layer.receive({
      message: responseTo(wireRequest(transport, 'REGISTER'), 200),
      source: TCP_SOURCE,
      size: 0,
    });
    expect(user.events).toEqual(['200', 'terminated']);
    expect(transaction.state).toBe('terminated');
    expect(layer.activeTransactions()).toEqual({ client: 0, server: 0 });
  });

  it('INVITE: no Timer A retransmissions; a 486 is ACKed over TCP and ends it at once (Timer D zero)', async () => {
    const { clock, transport, layer } = setup();
    const user = new RecordingClientUser();
    const transaction = layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, user);
    await settle();
    clock.advance(10_000);
    expect(transport.requests('INVITE')).toHaveLength(1);
    layer.receive({
      message: responseTo(wireRequest(transport, 'INVITE'), 486),
      source: TCP_SOURCE,
      size: 0,
    });
    expect(user.events).toEqual(['486', 'terminated']);
    expect(transaction.state).toBe('terminated');
    const ack = transport.requests('ACK');
    expect(ack).toHaveLength(1);
    expect(ack[0]?.destination).toEqual({ ...UDP_PEER, protocol: 'tcp' });
  });

  it('over the real transport layer: a 1400-byte MESSAGE meant for UDP is sent once, over TCP', async () => {
    const clock = new ManualClock();
    const network = new LoopbackNetwork({ clock });
    const ours = await TransportLayer.start({ sockets: network, bindAddress: '127.0.0.1', port: 5060 });
    const peer = await TransportLayer.start({ sockets: network, bindAddress: '127.0.0.2', port: 5060 });
    const arrived: string[] = [];
    peer.onMessage((incoming) =>
      arrived.push(`${incoming.source.protocol} ${incoming.message.topVia?.transport}`),
    );
    const layer = new TransactionLayer({ clock, random: new SeededRandom(5), transport: ours });
    ours.onMessage((incoming) => layer.receive(incoming));

    const request = outgoingRequest('MESSAGE');
    request.body = new TextEncoder().encode('m'.repeat(1400));
    request.setHeader('Content-Type', 'text/plain');
    const user = new RecordingClientUser();
    layer.sendRequest(request, { protocol: 'udp', address: '127.0.0.2', port: 5060 }, user);
    for (let step = 0; step < 20; step++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      clock.advance(500);
    }
    // 10 s in: on UDP Timer E would have resent it six times by now.
    expect(arrived).toEqual(['tcp TCP']);
    ours.close();
    peer.close();
  });
});
