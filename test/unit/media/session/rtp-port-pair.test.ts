import { describe, expect, it } from 'vitest';
import type { DatagramSocket, SocketFactory } from '../../../../main/platform/sockets';
import { bindRtpPortPair } from '../../../../main/media/session/rtp-port-pair';
import { LoopbackNetwork } from '../../../support/loopback-network';
import { ManualClock } from '../../../support/manual-clock';

describe('bindRtpPortPair', () => {
  it('skips an even port whose neighbour is taken', async () => {
    const network = new LoopbackNetwork({ clock: new ManualClock() });
    const squatter = await network.bindDatagram('127.0.0.1', 49153);
    const pair = await bindRtpPortPair(network, '127.0.0.1');
    expect(pair.ok && [pair.value.rtp.local.port, pair.value.rtcp.local.port]).toEqual([49154, 49155]);
    squatter.close();
  });

  it('settles for any two ports when no adjacent pair turns up', async () => {
    const network = new LoopbackNetwork({ clock: new ManualClock() });
    // Every explicit port is refused, as if each neighbour were always taken.
    const picky: SocketFactory = {
      ...network,
      bindDatagram: (address: string, port: number): Promise<DatagramSocket> =>
        port === 0 ? network.bindDatagram(address, 0) : Promise.reject(new Error('EADDRINUSE')),
      listenStream: (address, port) => network.listenStream(address, port),
      connectStream: (address, port) => network.connectStream(address, port),
    };
    const pair = await bindRtpPortPair(picky, '127.0.0.1');
    expect(pair.ok).toBe(true);
    if (!pair.ok) return;
    expect(pair.value.rtcp.local.port).not.toBe(pair.value.rtp.local.port);
  });

  it('says why when the address cannot be bound', async () => {
    const network = new LoopbackNetwork({ clock: new ManualClock() });
    const pair = await bindRtpPortPair(network, 'not-an-address');
    expect(pair).toMatchObject({ ok: false });
    expect(!pair.ok && pair.error).toContain('cannot bind an RTP socket on not-an-address');
  });
});
