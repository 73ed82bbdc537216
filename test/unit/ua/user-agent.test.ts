// The whole stack (UserAgent → Registerer → TransactionLayer → TransportLayer) on the in-memory network with a
// manual clock: a scripted registrar, lost and duplicated packets, and time driven by the test.
import { afterEach, describe, expect, it } from 'vitest';
import type { DatagramSocket } from '../../../main/platform/sockets';
import { createResponse } from '../../../main/sip/message/builders';
import type { SipRequest } from '../../../main/sip/message/message';
import { parseMessage } from '../../../main/sip/message/parse';
import { serializeMessage } from '../../../main/sip/message/serialize';
import { type SipUri, parseUri } from '../../../main/sip/message/uri';
import { UserAgent } from '../../../main/ua/user-agent';
import { LoopbackNetwork, firstMatching, textOf } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';

const REGISTRAR = { address: '10.0.0.1', port: 5060 };
const CHALLENGE = 'Digest realm="example.test", nonce="n1", qop="auth", algorithm=MD5';

function sipUri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.value as SipUri;
}

/** A registrar that challenges the first REGISTER of each Call-ID and accepts authorized ones. */
async function startRegistrar(network: LoopbackNetwork, options: { grant?: number; silent?: boolean } = {}) {
  const socket: DatagramSocket = await network.bindDatagram(REGISTRAR.address, REGISTRAR.port);
  const received: SipRequest[] = [];
  socket.onMessage((data, from) => {
    const parsed = parseMessage(data);
    if (!parsed.ok || parsed.message.kind !== 'request') return;
    const request = parsed.message;
    received.push(request);
    if (options.silent) return;
    const authorized = request.authorization.length > 0;
    const response = authorized
      ? createResponse(request, 200, {
          toTag: 'reg',
          headers: [
            [
              'Contact',
              `${request.header('contact')};expires=${request.expires === 0 ? 0 : (options.grant ?? 600)}`,
            ],
          ],
        })
      : createResponse(request, 401, { toTag: 'reg', headers: [['WWW-Authenticate', CHALLENGE]] });
    socket.send(serializeMessage(response), from.port, from.address);
  });
  return { socket, received };
}

describe('UserAgent on a lossy in-memory network', () => {
  const agents: UserAgent[] = [];
  afterEach(() => {
    for (const ua of agents.splice(0)) ua.transport.close();
  });

  async function setup() {
    const clock = new ManualClock();
    const random = new SeededRandom(11);
    const network = new LoopbackNetwork({ clock, random });
    const ua = await UserAgent.start({
      sockets: network,
      clock,
      random,
      bindAddress: '10.0.0.2',
      port: 5062,
      protocols: ['udp'],
    });
    agents.push(ua);
    const account = ua.addAccount({
      aor: sipUri('sip:alice@example.test'),
      password: 'secret',
      transport: 'udp',
      expires: 600,
      outboundProxy: sipUri(`sip:${REGISTRAR.address}:${REGISTRAR.port}`),
    });
    return { clock, network, ua, account };
  }

  it('registers through the real transaction and transport layers', async () => {
    const { clock, network, account } = await setup();
    const registrar = await startRegistrar(network);
    account.registerer.register();
    await settle(clock);
    expect(registrar.received).toHaveLength(2);
    expect(registrar.received[0]!.topVia).toMatchObject({
      transport: 'UDP',
      host: '10.0.0.2',
      port: 5062,
      rport: true,
    });
    expect(registrar.received[0]!.route[0]?.uri).toMatchObject({
      host: REGISTRAR.address,
      port: REGISTRAR.port,
    });
    expect(account.registerer.state).toMatchObject({ name: 'registered', expires: 600 });
  });

  it('retransmits a lost REGISTER on Timer E and still registers', async () => {
    const { clock, network, account } = await setup();
    const registrar = await startRegistrar(network);
    network.setConditions({ drop: firstMatching(1, /^REGISTER /) });
    account.registerer.register();
    await settle(clock);
    expect(registrar.received).toHaveLength(0);
    clock.advance(500);
    await settle(clock);
    expect(registrar.received.length).toBeGreaterThanOrEqual(2);
    expect(account.registerer.state.name).toBe('registered');
    const sends = network.trace.filter((t) => textOf(t.data).startsWith('REGISTER ')).map((t) => t.sentAt);
    expect(sends.slice(0, 2)).toEqual([0, 500]);
  });

  it('absorbs duplicated responses: one registration, no extra requests', async () => {
    const { clock, network, account } = await setup();
    const registrar = await startRegistrar(network);
    network.setConditions({ duplicate: 1 });
    account.registerer.register();
    await settle(clock);
    expect(account.registerer.state.name).toBe('registered');
    // Each REGISTER arrives twice (duplicated), but the UA sent exactly two (challenge, authorized).
    const branches = new Set(registrar.received.map((r) => r.topVia?.branch));
    expect(branches.size).toBe(2);
  });

  it('reports a silent registrar as a timeout after Timer F (32 s) and retries later', async () => {
    const { clock, network, account } = await setup();
    const registrar = await startRegistrar(network, { silent: true });
    account.registerer.register();
    await settle(clock);
    clock.advance(31_999);
    await settle(clock);
    expect(account.registerer.state.name).toBe('registering');
    clock.advance(1);
    await settle(clock);
    expect(account.registerer.state).toMatchObject({ name: 'failed', reason: 'timeout', status: 408 });
    const times = network.trace.filter((t) => textOf(t.data).startsWith('REGISTER ')).map((t) => t.sentAt);
    expect(times).toEqual([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
    expect(registrar.received).toHaveLength(11);
  });

  it('unregisters on shutdown and closes its sockets', async () => {
    const { clock, network, ua, account } = await setup();
    const registrar = await startRegistrar(network);
    account.registerer.register();
    await settle(clock);
    const done = ua.shutdown();
    await settle(clock);
    await done;
    expect(registrar.received.at(-1)?.expires).toBe(0);
    expect(account.registerer.state.name).toBe('unregistered');
  });
});
