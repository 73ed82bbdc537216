import { afterEach, describe, expect, it } from 'vitest';
import {
  type MessagingLimits,
  MessagingUsage,
  messagingHostOf,
} from '../../../main/messaging/messaging-usage';
import {
  type ComposingIndication,
  type IncomingMessage,
  unavailableMessagingEngine,
} from '../../../main/services/messaging-engine';
import { UaMessagingEngine } from '../../../main/services/ua-messaging-engine';
import { type SipUri, parseUri } from '../../../main/sip/message/uri';
import type { Account } from '../../../main/ua/user-agent';
import { UserAgent } from '../../../main/ua/user-agent';
import { NoNameResolver } from '../../../main/ua/next-hop';
import { silentLogger } from '../../../main/platform/logger';
import { LoopbackNetwork } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { ScriptedPeer } from '../../support/scripted-peer';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';
import { input, removeDataDirs, startHarness } from './engine-harness';

function sipUri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.value as SipUri;
}

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function setup(limits: Partial<MessagingLimits> = {}) {
  const clock = new ManualClock({ epochMs: Date.UTC(2026, 11, 5, 8) });
  const random = new SeededRandom(11);
  const network = new LoopbackNetwork({ clock, random: new SeededRandom(12) });
  const agent = async (address: string) => {
    const ua = await UserAgent.start({
      sockets: network,
      clock,
      random,
      bindAddress: address,
      port: 5060,
      protocols: ['udp'],
    });
    closers.push(() => {
      ua.transactions.shutdown();
      ua.transport.close();
    });
    return ua;
  };
  const alice = await agent('10.0.0.1');
  const ids = new Map<Account, string>();
  const engine = new UaMessagingEngine({
    accounts: {
      live: (id) => {
        for (const [account, accountId] of ids) if (accountId === id) return { account, ua: alice };
        return undefined;
      },
      idOf: (account) => ids.get(account),
    },
    resolver: new NoNameResolver(),
    localAddressFor: () => Promise.resolve('10.0.0.1'),
    logger: silentLogger,
    limits,
  });
  const pool = engine.pool({ get: () => Promise.resolve(alice), shutdown: () => Promise.resolve() });
  await pool.get('10.0.0.1');
  const bobUa = await agent('10.0.0.2');
  const bob = new MessagingUsage(messagingHostOf(bobUa));
  const bobReceived: string[] = [];
  bob.setIncomingHandler((message) => {
    bobReceived.push(message.body);
    return { kind: 'stored' };
  });
  closers.push(() => {
    bob.dispose();
    engine.shutdown();
  });
  return { clock, network, alice, engine, ids, bob, bobUa, bobReceived, settle: () => settle(clock) };
}

describe('UaMessagingEngine', () => {
  it('sends straight to an address with accountId null, and from a running account by its id', async () => {
    const s = await setup();
    const direct = s.engine.send({ accountId: null, to: 'sip:bob@10.0.0.2:5060', body: 'direct 🙂' });
    await s.settle();
    expect(await direct).toEqual({ ok: true, status: 200, detail: '200 OK from 10.0.0.2:5060' });

    const account = s.alice.addAccount({
      aor: sipUri('sip:alice@example.test'),
      password: 'pw',
      transport: 'udp',
      expires: 300,
    });
    s.ids.set(account, 'acc-1');
    const fromAccount = s.engine.send({ accountId: 'acc-1', to: 'sip:bob@10.0.0.2:5060', body: 'signed' });
    await s.settle();
    expect(await fromAccount).toMatchObject({ ok: true, status: 200 });
    expect(s.bobReceived).toEqual(['direct 🙂', 'signed']);
  });

  it('fails with no-account for an account that is not running, and refuses what is no SIP URI', async () => {
    const s = await setup();
    expect(await s.engine.send({ accountId: 'gone', to: 'sip:bob@10.0.0.2', body: 'x' })).toMatchObject({
      ok: false,
      failure: { reason: 'no-account' },
    });
    expect(await s.engine.send({ accountId: null, to: 'mailto:bob@example.test', body: 'x' })).toMatchObject({
      ok: false,
      failure: { reason: 'failed' },
    });
  });

  it('hands incoming messages to the handler with the account id, and answers 480 while there is none', async () => {
    const s = await setup();
    const account = s.alice.addAccount({
      aor: sipUri('sip:alice@example.test'),
      password: 'pw',
      transport: 'udp',
      expires: 300,
    });
    s.ids.set(account, 'acc-1');
    const before = s.bob.send(undefined, sipUri('sip:alice@10.0.0.1:5060'), 'nobody keeps this');
    await s.settle();
    expect(await before).toMatchObject({ ok: false, failure: { reason: 'unavailable', status: 480 } });

    const received: IncomingMessage[] = [];
    s.engine.setIncomingHandler((message) => {
      received.push(message);
      return { kind: 'stored' };
    });
    const sent = s.bob.send(undefined, sipUri('sip:alice@10.0.0.1:5060'), 'kept');
    await s.settle();
    expect(await sent).toMatchObject({ ok: true, status: 200 });
    expect(received).toEqual([
      expect.objectContaining({
        accountId: 'acc-1',
        from: 'sip:anonymous@10.0.0.2:5060',
        fromName: null,
        body: 'kept',
        receivedAt: Date.UTC(2026, 11, 5, 8),
      }),
    ]);
  });

  it('passes composing both ways once text was exchanged', async () => {
    const s = await setup();
    s.engine.setIncomingHandler(() => ({ kind: 'stored' }));
    const seen: ComposingIndication[] = [];
    s.engine.onComposing((indication) => seen.push(indication));
    const bobComposing: string[] = [];
    s.bob.onComposing((indication) => bobComposing.push(indication.state));
    await Promise.all([
      s.engine.send({ accountId: null, to: 'sip:bob@10.0.0.2:5060', body: 'hi' }),
      s.settle(),
    ]);
    s.engine.setComposing(null, 'sip:bob@10.0.0.2:5060', 'active');
    await s.settle();
    await s.settle();
    expect(bobComposing).toEqual(['active']);
    s.bob.setComposing(undefined, sipUri('sip:anonymous@10.0.0.1:5060'), 'active');
    await s.settle();
    expect(seen).toEqual([{ accountId: null, from: 'sip:anonymous@10.0.0.2:5060', state: 'active' }]);
  });

  it('keeps no bound of its own: the usage’s bound on MESSAGEs waiting is the one a caller meets', async () => {
    // Above the 300 the engine once counted on its own, which a caller met first whatever the usage allowed.
    const s = await setup({ maxInFlight: 320 });
    await ScriptedPeer.start(s.network, '10.0.0.9');
    const to = 'sip:carol@10.0.0.9:5060';
    const waiting = Array.from({ length: 320 }, (_, i) =>
      s.engine.send({ accountId: null, to, body: `m${i}` }),
    );
    await s.settle();
    expect(await s.engine.send({ accountId: null, to, body: 'one too many' })).toEqual({
      ok: false,
      failure: { reason: 'failed', status: null, detail: '320 messages are waiting for an answer already' },
    });
    s.engine.shutdown();
    for (const outcome of await Promise.all(waiting))
      expect(outcome).toMatchObject({ ok: false, failure: { reason: 'failed' } });
  });

  it('ends a message still waiting for its answer as failed when it shuts down', async () => {
    const s = await setup();
    await ScriptedPeer.start(s.network, '10.0.0.9');
    const waiting = s.engine.send({ accountId: null, to: 'sip:carol@10.0.0.9:5060', body: 'anyone?' });
    await s.settle();
    s.engine.shutdown();
    expect(await waiting).toMatchObject({ ok: false, failure: { reason: 'failed' } });
    expect(await s.engine.send({ accountId: null, to: 'sip:carol@10.0.0.9', body: 'x' })).toMatchObject({
      ok: false,
      failure: { reason: 'failed', detail: 'the engine is stopping' },
    });
  });
});

describe('createEngine and messages', () => {
  afterEach(() => removeDataDirs());

  it('puts the MESSAGE usage on the accounts’ user agents, answered 200 once the message service stored it', async () => {
    const h = await startHarness();
    try {
      const created = await h.drive(h.engine.router.dispatch('accounts.create', [input()]));
      expect(created.ok).toBe(true);
      await h.run(1_000);
      const register = h.registrar.received.find((request) => request.method === 'REGISTER');
      const contact = /<sip:[^@]+@([\d.]+):(\d+)/.exec(register?.header('contact') ?? '');
      if (!contact) throw new Error('no REGISTER with a Contact');
      const peer = await ScriptedPeer.start(h.network, '10.0.0.7');
      peer.sendText(
        [
          `MESSAGE sip:alice@${contact[1]}:${contact[2]} SIP/2.0`,
          'Via: SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bKengine1',
          'Max-Forwards: 70',
          'From: <sip:carol@10.0.0.7>;tag=c1',
          'To: <sip:alice@example.test>',
          'Call-ID: engine-message-1',
          'CSeq: 1 MESSAGE',
          'Content-Type: text/plain',
          'Content-Length: 2',
          '',
          'hi',
        ].join('\r\n'),
        contact[1]!,
        Number(contact[2]),
      );
      await h.run(10);
      expect(peer.responses().map((response) => response.status)).toEqual([200]);
      const conversations = await h.engine.router.dispatch('messages.conversations', []);
      expect(conversations).toMatchObject({
        ok: true,
        value: [{ peerUri: 'sip:carol@10.0.0.7', lastMessage: { body: 'hi', delivery: 'received' } }],
      });
    } finally {
      await h.stop();
    }
  });

  it('takes a messaging engine of the test’s own and shuts it down with the engine', async () => {
    let stopped = 0;
    const h = await startHarness({
      engine: { messaging: { ...unavailableMessagingEngine(), shutdown: () => void stopped++ } },
    });
    await h.stop();
    expect(stopped).toBe(1);
  });
});
