import { describe, expect, it } from 'vitest';
import type { SipRequest } from '../../../../main/sip/message/message';
import { parseMessage } from '../../../../main/sip/message/parse';
import { TransportLayer } from '../../../../main/sip/transport/transport-layer';
import type { Destination } from '../../../../main/sip/transport/types';
import { LoopbackNetwork } from '../../../support/loopback-network';
import { ManualClock } from '../../../support/manual-clock';
import { settle } from '../../../support/settle';

const CLOSED: Destination = { protocol: 'udp', address: '127.0.0.1', port: 5999 };

function request(method: string): SipRequest {
  const parsed = parseMessage(
    [
      `${method} sip:registrar@127.0.0.1 SIP/2.0`,
      'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKicmp;rport',
      'Max-Forwards: 70',
      'From: <sip:alice@127.0.0.1>;tag=a',
      'To: <sip:alice@127.0.0.1>',
      'Call-ID: icmp-1',
      `CSeq: 1 ${method}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
  if (!parsed.ok) throw new Error(parsed.error.reason);
  return parsed.message as SipRequest;
}

async function setup(options: { probe?: boolean; clock?: boolean } = {}) {
  const clock = new ManualClock();
  const network = new LoopbackNetwork({ clock, reportUnreachable: true });
  const layer = await TransportLayer.start({
    sockets: network,
    bindAddress: '127.0.0.1',
    port: 5060,
    ...(options.clock === false ? {} : { clock }),
    ...(options.probe === false ? { probeUdpReachability: false } : {}),
  });
  const unreachable: Destination[] = [];
  layer.onDestinationUnreachable((destination) => unreachable.push(destination));
  return { clock, layer, unreachable, run: () => settle(clock) };
}

describe('TransportLayer: UDP destinations found unreachable', () => {
  it('reports a request’s destination where nothing listens', async () => {
    const { layer, unreachable, run } = await setup();
    await layer.sendRequest(request('REGISTER'), CLOSED);
    await run();
    expect(unreachable).toEqual([CLOSED]);
  });

  it('does not probe for an ACK (no transaction waits on it)', async () => {
    const { layer, unreachable, run } = await setup();
    await layer.sendRequest(request('ACK'), CLOSED);
    await run();
    expect(unreachable).toEqual([]);
  });

  it('does not probe when told not to, or without a clock to bound the probe', async () => {
    for (const options of [{ probe: false }, { clock: false }]) {
      const { layer, unreachable, run } = await setup(options);
      await layer.sendRequest(request('REGISTER'), CLOSED);
      await run();
      expect(unreachable).toEqual([]);
      layer.close();
    }
  });
});
