// IPv6 on real sockets (RFC 5118): `softphone listen` on [::1] answers OPTIONS from a second user agent over UDP and
// TCP, with bracketed Via sent-by and received/rport stamping.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../main/platform/clock';
import { NodeSocketFactory } from '../../main/platform/node-sockets';
import { CryptoRandom } from '../../main/platform/random';
import { createRequest } from '../../main/sip/message/builders';
import type { SipResponse } from '../../main/sip/message/message';
import { type SipUri, parseUri } from '../../main/sip/message/uri';
import { UserAgent } from '../../main/ua/user-agent';
import { type SoftphoneProcess, runSoftphone } from './support/softphone-cli';

function sipUri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.value as SipUri;
}

describe('IPv6 loopback', () => {
  let listener: SoftphoneProcess;
  let port: number;
  let client: UserAgent;

  beforeAll(async () => {
    listener = runSoftphone(['listen', '--bind', '[::1]:0']);
    port = await listener.port();
    client = await UserAgent.start({
      sockets: new NodeSocketFactory(),
      clock: new SystemClock(),
      random: new CryptoRandom(),
      bindAddress: '::1',
    });
  });

  afterAll(async () => {
    await client?.shutdown(500);
    expect(await listener.quit()).toBe(0);
  });

  for (const protocol of ['udp', 'tcp'] as const) {
    it(`answers OPTIONS over ${protocol.toUpperCase()} on [::1]`, async () => {
      const target = sipUri(`sip:bob@[::1]:${port}`);
      const request = createRequest({
        method: 'OPTIONS',
        requestUri: target,
        from: { uri: sipUri('sip:alice@[::1]'), params: new Map(), tag: `v6${protocol}` },
        to: { uri: target, params: new Map() },
        callId: `ipv6-${protocol}-${Date.now()}`,
        cseq: 1,
      });
      const response = await new Promise<SipResponse>((resolve) =>
        client.transactions.sendRequest(request, { protocol, address: '::1', port }, { onFinal: resolve }),
      );
      expect(response.status).toBe(200);
      const via = response.topVia!;
      expect(via.host).toBe('[::1]');
      expect(via.transport).toBe(protocol.toUpperCase());
      // rport is the port the request really came from: the listening port on UDP, the connection's own on TCP.
      if (protocol === 'udp') expect(via.rport).toBe(client.transport.localPort);
      else expect(via.rport).toEqual(expect.any(Number));
      expect(via.received).toBe('::1');
      const seen = await listener.waitFor((e) => e.event === 'request' && e['callId'] === request.callId);
      expect(seen['method']).toBe('OPTIONS');
    });
  }
});
