// An ICMP port unreachable on real loopback: a request to a UDP port on 127.0.0.1 where nothing listens must end its
// transaction with a local 503 as soon as the kernel reports the ICMP error, instead of after Timer F (32 s with
// the default T1). The transaction layer and transport run with the real clock and sockets, as in the app.
import { type Socket, createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../main/platform/clock';
import { NodeSocketFactory } from '../../main/platform/node-sockets';
import { CryptoRandom } from '../../main/platform/random';
import { createRequest } from '../../main/sip/message/builders';
import type { SipResponse } from '../../main/sip/message/message';
import { type SipUri, parseUri } from '../../main/sip/message/uri';
import { isSynthesizedResponse } from '../../main/sip/transaction/client-transaction';
import { TransactionLayer } from '../../main/sip/transaction/transaction-layer';
import { TransportLayer } from '../../main/sip/transport/transport-layer';

function uri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.value as SipUri;
}

/** A port on 127.0.0.1 that was free a moment ago: bound, read, released. */
async function closedPort(): Promise<number> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

describe('UDP destination unreachable on 127.0.0.1', () => {
  const clock = new SystemClock();
  let transport: TransportLayer;
  let transactions: TransactionLayer;

  beforeAll(async () => {
    transport = await TransportLayer.start({
      sockets: new NodeSocketFactory(),
      clock,
      bindAddress: '127.0.0.1',
      protocols: ['udp'],
    });
    transactions = new TransactionLayer({ clock, random: new CryptoRandom(), transport });
  });

  afterAll(() => {
    transactions?.shutdown();
    transport?.close();
  });

  it('ends a REGISTER to a closed port with a local 503 long before Timer F', async () => {
    const port = await closedPort();
    const request = createRequest({
      method: 'REGISTER',
      requestUri: uri(`sip:127.0.0.1:${port}`),
      from: { uri: uri('sip:alice@127.0.0.1'), params: new Map(), tag: 'icmp' },
      to: { uri: uri('sip:alice@127.0.0.1'), params: new Map() },
      callId: 'icmp-interop@127.0.0.1',
      cseq: 1,
    });
    const started = clock.now();
    const final = await new Promise<SipResponse>((resolve) => {
      transactions.sendRequest(
        request,
        { protocol: 'udp', address: '127.0.0.1', port },
        { onFinal: resolve },
      );
    });
    const elapsed = clock.now() - started;
    console.info(
      `UDP unreachable: REGISTER to 127.0.0.1:${port} ended with ${final.status} after ${elapsed.toFixed(1)} ms`,
    );
    expect(final.status).toBe(503);
    expect(isSynthesizedResponse(final)).toBe(true);
    expect(transactions.activeTransactions().client).toBe(0);
    // Our Via still carries the transport's own port: the probe went from a socket of its own.
    expect(request.topVia?.port).toBe(transport.localPort);
  });
});
