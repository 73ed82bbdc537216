// Instant messages through the project's Kamailio (registrar, proxy with digest, msilo): two engines' user agents,
// alice and bob, each with the UaMessagingEngine the engine builds, exchange MESSAGEs (RFC 3428) with non-ASCII text
// intact both ways, answer Kamailio's 407 on MESSAGE, carry a 2,000-byte message over TCP although the account uses
// UDP (RFC 3428 §8), get offline messages stored by msilo on registration in order, once each, with their date,
// and pass is-composing (RFC 3994).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemClock } from '../../main/platform/clock';
import { NodeSocketFactory } from '../../main/platform/node-sockets';
import { silentLogger } from '../../main/platform/logger';
import { CryptoRandom } from '../../main/platform/random';
import type { ComposingIndication, IncomingMessage } from '../../main/services/messaging-engine';
import { UaMessagingEngine } from '../../main/services/ua-messaging-engine';
import type { TraceEvent } from '../../main/sip/transport/transport-layer';
import { NoNameResolver } from '../../main/ua/next-hop';
import { type Account, UserAgent } from '../../main/ua/user-agent';
import { type KamailioHandle, peersAvailable, startKamailio } from './support/kamailio';
import { sipUri, waitFor } from './support/sip-agent';

const peers = peersAvailable();
const TEXT_ALICE = 'Hello Bob 👋🏽 — שלום, מה שלומך? — مرحبا كيف حالك؟ 🇮🇱🇵🇸 <b>&amp;</b>';
const TEXT_BOB = 'בסדר גמור 😀 — بخير، شكراً — ok!';

/** Polls an asynchronous condition until it holds. */
async function until(probe: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(50);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Party {
  readonly agent: UserAgent;
  readonly account: Account;
  readonly engine: UaMessagingEngine;
  readonly received: IncomingMessage[];
  readonly composing: ComposingIndication[];
  readonly trace: TraceEvent[];
  register(): Promise<void>;
}

describe.skipIf(!peers.kamailio)('instant messages through Kamailio', () => {
  let kamailio: KamailioHandle;
  const parties: Party[] = [];
  const clock = new SystemClock();
  const random = new CryptoRandom();
  const resolver = new NoNameResolver();

  async function party(user: string, options: { register?: boolean } = {}): Promise<Party> {
    const agent = await UserAgent.start({
      sockets: new NodeSocketFactory(),
      clock,
      random,
      resolver,
      bindAddress: '127.0.0.1',
      port: 0,
      protocols: ['udp', 'tcp'],
      userAgent: 'softphone-messages-test',
    });
    const account = agent.addAccount({
      aor: sipUri(kamailio.uri(user)),
      password: `${user}-pw`,
      outboundProxy: sipUri(kamailio.proxyUri('udp')),
      transport: 'udp',
      expires: 300,
    });
    const id = `${user}-account`;
    const engine = new UaMessagingEngine({
      accounts: {
        live: (wanted) => (wanted === id ? { account, ua: agent } : undefined),
        idOf: (candidate) => (candidate === account ? id : undefined),
      },
      resolver,
      localAddressFor: () => Promise.resolve('127.0.0.1'),
      logger: silentLogger,
    });
    await engine
      .pool({ get: () => Promise.resolve(agent), shutdown: () => Promise.resolve() })
      .get('127.0.0.1');
    const received: IncomingMessage[] = [];
    engine.setIncomingHandler((message) => {
      received.push(message);
      return { kind: 'stored' };
    });
    const composing: ComposingIndication[] = [];
    engine.onComposing((indication) => composing.push(indication));
    const trace: TraceEvent[] = [];
    agent.onTrace((event) => trace.push(event));
    const register = async (): Promise<void> => {
      account.registerer.register();
      await waitFor(
        () => (account.registerer.state.name === 'registered' ? true : undefined),
        `${user} registered`,
      );
    };
    const made: Party = { agent, account, engine, received, composing, trace, register };
    parties.push(made);
    if (options.register !== false) await register();
    return made;
  }

  beforeAll(async () => {
    kamailio = await startKamailio({
      users: ['alice', 'bob', 'carol', 'dave'].map((username) => ({ username, password: `${username}-pw` })),
      // msilo beside the presence server: issue 9's Kamailio runs both.
      presence: true,
      offlineMessages: true,
    });
  });

  afterAll(async () => {
    for (const { agent, engine } of parties.splice(0)) {
      engine.shutdown();
      await agent.shutdown(1_000);
    }
    await kamailio?.stop();
  });

  it('alice and bob exchange UTF-8 text both ways, each MESSAGE answering the 407 with its credentials', async () => {
    const alice = await party('alice');
    const bob = await party('bob');
    const sent = await alice.engine.send({
      accountId: 'alice-account',
      to: kamailio.uri('bob'),
      body: TEXT_ALICE,
    });
    expect(sent).toMatchObject({ ok: true, status: 200 });
    const atBob = await waitFor(() => bob.received[0], 'bob receives');
    expect(atBob).toMatchObject({ accountId: 'bob-account', from: kamailio.uri('alice'), body: TEXT_ALICE });

    const reply = await bob.engine.send({
      accountId: 'bob-account',
      to: kamailio.uri('alice'),
      body: TEXT_BOB,
    });
    expect(reply).toMatchObject({ ok: true, status: 200 });
    const atAlice = await waitFor(() => alice.received[0], 'alice receives');
    expect(atAlice).toMatchObject({ accountId: 'alice-account', from: kamailio.uri('bob'), body: TEXT_BOB });

    // Kamailio challenged each first MESSAGE: the one that got through carried Proxy-Authorization.
    const sentMessages = alice.trace
      .filter((event) => event.direction === 'sent')
      .map((event) => new TextDecoder().decode(event.bytes))
      .filter((text) => text.startsWith('MESSAGE '));
    expect(sentMessages).toHaveLength(2);
    expect(sentMessages[1]).toMatch(/\r\nProxy-Authorization: Digest /);
    const received407 = alice.trace.some(
      (event) =>
        event.direction === 'received' && /^SIP\/2\.0 407 /.test(new TextDecoder().decode(event.bytes)),
    );
    expect(received407).toBe(true);
  });

  it('a 2,000-byte message from an account on UDP goes to Kamailio over TCP and arrives whole', async () => {
    const carol = await party('carol');
    const dave = await party('dave');
    // 2,000 bytes of UTF-8: Hebrew letters (2 bytes each) and emoji (4 bytes each).
    const text = 'ש'.repeat(500) + '🙂'.repeat(250);
    expect(new TextEncoder().encode(text).length).toBe(2_000);
    const sent = await carol.engine.send({
      accountId: 'carol-account',
      to: kamailio.uri('dave'),
      body: text,
    });
    expect(sent).toMatchObject({ ok: true, status: 200 });
    expect(await waitFor(() => dave.received[0]?.body, 'dave receives')).toBe(text);
    const messageTransports = carol.trace
      .filter(
        (event) => event.direction === 'sent' && new TextDecoder().decode(event.bytes).startsWith('MESSAGE '),
      )
      .map((event) => event.protocol);
    expect(messageTransports.length).toBeGreaterThan(0);
    expect(new Set(messageTransports)).toEqual(new Set(['tcp']));
  });

  it('messages to an unregistered bob are stored (202) and arrive when he registers: in order, once, dated', async () => {
    const alice = parties.find((p) => p.account.config.aor.user === 'alice') ?? (await party('alice'));
    const bob = parties.find((p) => p.account.config.aor.user === 'bob')!;
    // Bob goes away: his binding is removed, so Kamailio's msilo keeps what comes for him.
    await bob.agent.removeAccount(bob.account.id, 2_000);
    await until(
      async () => !(await kamailio.ulDump()).some((binding) => binding.aor === 'bob'),
      'bob unregistered',
    );
    const offline = await party('bob', { register: false });
    const before = Date.now();
    const texts = ['first 1️⃣ שלום', 'second 2️⃣ مرحبا', 'third 3️⃣ done'];
    for (const body of texts) {
      const outcome = await alice.engine.send({ accountId: 'alice-account', to: kamailio.uri('bob'), body });
      expect(outcome).toMatchObject({ ok: true, status: 202 });
      // One second apart, so the dates tell the order too.
      await delay(1_100);
    }
    expect((await kamailio.storedMessages()).map((stored) => stored.body)).toEqual(texts);
    expect(offline.received).toHaveLength(0);

    await offline.register();
    await waitFor(() => (offline.received.length >= 3 ? true : undefined), 'three stored messages');
    // Anything delivered twice would show within a few of msilo's check periods.
    await delay(2_000);
    expect(offline.received.map((message) => message.body)).toEqual(texts);
    expect(new Set(offline.received.map((message) => message.dedupeKey)).size).toBe(3);
    for (const message of offline.received) {
      expect(message.from).toBe(kamailio.uri('alice'));
      expect(message.accountId).toBe('bob-account');
      expect(message.date).not.toBeNull();
      expect(message.date!).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(message.date!).toBeLessThan(message.receivedAt - 1_000);
    }
    const dates = offline.received.map((message) => message.date!);
    expect([...dates].sort((a, b) => a - b)).toEqual(dates);
    await until(async () => (await kamailio.storedMessages()).length === 0, 'msilo emptied');
  });

  it('a message to someone who is no subscriber is not-found (404), not stored', async () => {
    const alice = parties.find((p) => p.account.config.aor.user === 'alice') ?? (await party('alice'));
    const outcome = await alice.engine.send({
      accountId: 'alice-account',
      to: kamailio.uri('zed'),
      body: 'hello?',
    });
    expect(outcome).toMatchObject({ ok: false, failure: { reason: 'not-found', status: 404 } });
    expect(await kamailio.storedMessages()).toEqual([]);
  });

  it('typing reaches the peer as is-composing and ends with the message', async () => {
    const carol = parties.find((p) => p.account.config.aor.user === 'carol')!;
    const dave = parties.find((p) => p.account.config.aor.user === 'dave')!;
    // They exchanged text in the size test, so carol's typing may go to dave.
    carol.engine.setComposing('carol-account', kamailio.uri('dave'), 'active');
    await waitFor(() => dave.composing.find((c) => c.state === 'active'), 'dave sees carol typing');
    expect(dave.composing[0]).toEqual({
      accountId: 'dave-account',
      from: kamailio.uri('carol'),
      state: 'active',
    });
    await carol.engine.send({ accountId: 'carol-account', to: kamailio.uri('dave'), body: 'typed' });
    await waitFor(() => dave.composing.find((c) => c.state === 'idle'), 'dave sees carol stop');
    expect(dave.received.at(-1)?.body).toBe('typed');
  });
});
