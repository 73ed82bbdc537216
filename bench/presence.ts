// Presence at buddy-list scale (issue 9 §7): 500 buddies, each with its own presence subscription through the
// project's Kamailio as presence server, watched by one engine user agent; how long until every buddy's status is
// known, what it costs the engine (heap, CPU), and what one NOTIFY costs to read. Then the same through the whole
// engine (createEngine, PresenceService with its paced start): an engine starting with 500 watched contacts, and the
// delay from one engine's presence.setStatus to the other engine's buddy.changed.
import { mkdtempSync, rmSync } from 'node:fs';
import { arch, cpus, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountDto, AccountInput, EventName, Events, OwnStatus } from '../main/contract/contract';
import { type Engine, createEngine } from '../main/services/engine';
import type { WatchedContact } from '../main/services/presence-service';
import { FileKeyCipher } from '../main/store/file-key-cipher';
import type { KamailioHandle } from '../test/interop/support/kamailio';
import { SystemClock } from '../main/platform/clock';
import { NodeSocketFactory } from '../main/platform/node-sockets';
import { CryptoRandom } from '../main/platform/random';
import { parsePidf } from '../main/presence/pidf';
import { mergePresence } from '../main/presence/presence-merge';
import { PresencePublisher } from '../main/presence/presence-publisher';
import { PresenceWatcher } from '../main/presence/presence-watcher';
import { SubscriptionUsage, hostOf, subscriberOf } from '../main/presence/subscription-usage';
import { parseMessage } from '../main/sip/message/parse';
import { type SipUri, parseUri } from '../main/sip/message/uri';
import { NoNameResolver } from '../main/ua/next-hop';
import { UserAgent } from '../main/ua/user-agent';
import { startKamailio } from '../test/interop/support/kamailio';
import type { Benchmark } from './benchmark';

const BUDDIES = 500;
const STEP_TIMEOUT_MS = 120_000;
/** PUBLISH → NOTIFY round trips measured between two engines. */
const DELAY_SAMPLES = 30;

function sipUri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.value as SipUri;
}

async function until(probe: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function agent(): Promise<UserAgent> {
  return UserAgent.start({
    sockets: new NodeSocketFactory(),
    clock: new SystemClock(),
    random: new CryptoRandom(),
    resolver: new NoNameResolver(),
    bindAddress: '127.0.0.1',
    port: 0,
    protocols: ['udp'],
  });
}

/** A NOTIFY as Kamailio's presence_xml sends it for a buddy with three devices and a person element. */
function sampleNotify(): Buffer {
  const tuples = [0, 1, 2]
    .map(
      (i) =>
        `<tuple id="t${i}"><status><basic>${i === 2 ? 'open' : 'closed'}</basic></status>` +
        `<contact priority="0.${i + 5}">sip:bob@192.0.2.${i + 1}:5060</contact><note>device ${i}</note>` +
        `<timestamp>2026-12-05T10:0${i}:00Z</timestamp></tuple>`,
    )
    .join('');
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<presence xmlns="urn:ietf:params:xml:ns:pidf" ' +
    'xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" ' +
    `entity="sip:bob@example.test">${tuples}<dm:person id="p"><rpid:activities><rpid:away/></rpid:activities>` +
    '<dm:note xml:lang="de">Zurück um 15 Uhr</dm:note></dm:person></presence>';
  const head = [
    'NOTIFY sip:alice@127.0.0.1:5062 SIP/2.0',
    'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-bench;rport',
    'Max-Forwards: 70',
    'From: <sip:bob@example.test>;tag=a6c5f1',
    'To: <sip:alice@example.test>;tag=b7d2e9',
    'Call-ID: bench-notify-1',
    'CSeq: 2 NOTIFY',
    'Contact: <sip:presence@127.0.0.1:5060>',
    'Event: presence',
    'Subscription-State: active;expires=3600',
    'Content-Type: application/pidf+xml',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`);
}

function notifyCost(): { perNotifyUs: number; bytes: number } {
  const wire = sampleNotify();
  const read = (): string => {
    const parsed = parseMessage(wire);
    if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('bad sample');
    const document = parsePidf(parsed.message.body);
    if (!document.ok) throw new Error(document.error.message);
    return mergePresence(document.value).availability;
  };
  for (let i = 0; i < 2_000; i++) read();
  const rounds = 20_000;
  const start = performance.now();
  for (let i = 0; i < rounds; i++) read();
  return { perNotifyUs: ((performance.now() - start) * 1000) / rounds, bytes: wire.length };
}

interface EngineStartup {
  readonly allKnownMs: number;
  readonly firstSubscribeSpreadMs: number;
  readonly cpuMs: number;
  readonly heapMiB: number;
}

type Recorded = { [E in EventName]: { name: E; payload: Events[E] } }[EventName];

function accountInput(kamailio: KamailioHandle, user: string, password: string): AccountInput {
  return {
    displayName: user,
    aor: kamailio.uri(user),
    authUser: null,
    password,
    outboundProxy: kamailio.proxyUri('udp'),
    registrar: null,
    transport: 'udp',
    expires: 3600,
    keepAliveSeconds: 0,
    keepAliveKind: 'crlf',
    enabled: true,
  };
}

async function startEngine(
  dataDir: string,
  watched: readonly WatchedContact[],
): Promise<{ engine: Engine; events: Recorded[] }> {
  const engine = await createEngine({
    dataDir,
    secrets: FileKeyCipher.inDirectory(dataDir),
    host: 'web',
    unregisterTimeoutMs: 1_000,
    watchList: { watched: () => watched },
  });
  const events: Recorded[] = [];
  engine.events.subscribe((name, payload) => events.push({ name, payload } as Recorded));
  return { engine, events };
}

/**
 * An engine whose data folder already holds alice's account starts with `BUDDIES` watched contacts, all of whom have
 * published Away: from createEngine until every buddy.changed has said away.
 */
async function engineStartup(kamailio: KamailioHandle, root: string): Promise<EngineStartup> {
  const dataDir = mkdtempSync(join(root, 'alice-'));
  const first = await startEngine(dataDir, []);
  const created = await first.engine.router.dispatch('accounts.create', [
    accountInput(kamailio, 'alice', 'alice-pw'),
  ]);
  if (!created.ok) throw new Error(created.error.message);
  await until(
    () => first.events.some((e) => e.name === 'registration.changed' && e.payload.state === 'registered'),
    'alice registered',
  );
  await first.engine.shutdown(2_000);

  const watched = Array.from({ length: BUDDIES }, (_, i) => ({
    contactId: `c${i}`,
    uri: kamailio.uri(`buddy${i}`),
    accountId: null,
  }));
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const { engine, events } = await startEngine(dataDir, watched);
  const away = new Set<string>();
  let firstAt: number | undefined;
  let lastAt = 0;
  engine.events.subscribe((name, payload) => {
    if (name !== 'buddy.changed') return;
    const buddy = payload as Events['buddy.changed'];
    if (buddy.subscription !== 'stopped') firstAt ??= performance.now();
    if (buddy.subscription !== 'stopped' && buddy.subscription !== 'refused') lastAt = performance.now();
    if (buddy.availability === 'away') away.add(buddy.contactId);
  });
  await until(() => away.size === BUDDIES, 'every buddy known through the engine');
  const allKnownMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  global.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  void events;
  await engine.shutdown(3_000);
  return {
    allKnownMs,
    firstSubscribeSpreadMs: lastAt - (firstAt ?? lastAt),
    cpuMs: (cpu.user + cpu.system) / 1000,
    heapMiB: (heapAfter - heapBefore) / 1024 / 1024,
  };
}

/** bob's engine sets a status, alice's engine (watching bob) hears it: milliseconds per round, in order. */
async function publishToNotify(kamailio: KamailioHandle, root: string): Promise<number[]> {
  const alice = await startEngine(mkdtempSync(join(root, 'alice2-')), [
    { contactId: 'c-bob', uri: kamailio.uri('bob'), accountId: null },
  ]);
  const bob = await startEngine(mkdtempSync(join(root, 'bob-')), []);
  try {
    for (const [party, user, password] of [
      [alice, 'alice', 'alice-pw'],
      [bob, 'bob', 'bob-pw'],
    ] as const) {
      const made = await party.engine.router.dispatch('accounts.create', [
        accountInput(kamailio, user, password),
      ]);
      if (!made.ok) throw new Error(made.error.message);
      const id = (made.value as AccountDto).id;
      await until(
        () =>
          party.events.some(
            (e) =>
              e.name === 'registration.changed' &&
              e.payload.accountId === id &&
              e.payload.state === 'registered',
          ),
        `${user} registered`,
      );
    }
    await until(
      () => alice.events.some((e) => e.name === 'buddy.changed' && e.payload.availability === 'available'),
      'alice sees bob',
    );
    const delays: number[] = [];
    const statuses: OwnStatus[] = ['away', 'busy', 'available', 'dnd'];
    for (let i = 0; i < DELAY_SAMPLES; i++) {
      const note = `round ${i} — ünïcödé`;
      const status = statuses[i % statuses.length] ?? 'away';
      alice.events.length = 0;
      const started = performance.now();
      const set = await bob.engine.router.dispatch('presence.setStatus', [{ accountId: null, status, note }]);
      if (!set.ok) throw new Error(set.error.message);
      await until(
        () => alice.events.some((e) => e.name === 'buddy.changed' && e.payload.note === note),
        `alice hears round ${i}`,
      );
      delays.push(performance.now() - started);
    }
    return delays;
  } finally {
    await alice.engine.shutdown(2_000);
    await bob.engine.shutdown(2_000);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? Number.NaN;
}

export const benchmark: Benchmark = {
  section: 'Presence: 500 watched buddies through Kamailio',
  async run() {
    const users = [
      { username: 'alice', password: 'alice-pw' },
      ...Array.from({ length: BUDDIES }, (_, i) => ({ username: `buddy${i}`, password: `pw${i}` })),
      { username: 'bob', password: 'bob-pw' },
    ];
    const buddies = users.filter((user) => user.username.startsWith('buddy'));
    const root = mkdtempSync(join(tmpdir(), 'softphone-bench-presence-'));
    const kamailio = await startKamailio({ users, presence: true });
    const publisherAgent = await agent();
    const watcherAgent = await agent();
    try {
      // Every buddy publishes Away with a note first, from one agent with 500 accounts (not measured).
      const publishers = buddies.map((user) => {
        const account = publisherAgent.addAccount({
          aor: sipUri(kamailio.uri(user.username)),
          password: user.password,
          outboundProxy: sipUri(kamailio.proxyUri('udp')),
          transport: 'udp',
          expires: 3600,
        });
        const publisher = new PresencePublisher(subscriberOf(account), {
          ...publisherAgent.seams,
          sender: publisherAgent.transactions,
        });
        publisher.setStatus('away', `${user.username} is out`);
        return publisher;
      });
      await until(() => publishers.every((p) => p.state.name === 'published'), 'all buddies published');
      console.error(`  ${BUDDIES} buddies published`);

      const alice = watcherAgent.addAccount({
        aor: sipUri(kamailio.uri('alice')),
        password: 'alice-pw',
        outboundProxy: sipUri(kamailio.proxyUri('udp')),
        transport: 'udp',
        expires: 3600,
      });
      const usage = new SubscriptionUsage(hostOf(watcherAgent));
      global.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const watchers = buddies.map((user) => {
        const made = PresenceWatcher.create(usage, subscriberOf(alice), sipUri(kamailio.uri(user.username)));
        if (!made.ok) throw new Error(made.error.message);
        made.value.start();
        return made.value;
      });
      await until(() => watchers.every((w) => w.presence?.availability === 'away'), 'all buddies known');
      const allKnownMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      global.gc?.();
      const heapAfter = process.memoryUsage().heapUsed;
      console.error(`  all ${BUDDIES} known after ${allKnownMs.toFixed(0)} ms`);
      await usage.removeAll(5_000);
      await watcherAgent.shutdown(1_000);

      const startup = await engineStartup(kamailio, root);
      console.error(`  through the engine: all ${BUDDIES} known after ${startup.allKnownMs.toFixed(0)} ms`);
      const delays = await publishToNotify(kamailio, root);
      const sorted = [...delays].sort((a, b) => a - b);
      console.error(`  setStatus → buddy.changed: median ${percentile(sorted, 0.5).toFixed(1)} ms`);
      for (const publisher of publishers) publisher.dispose();

      const cost = notifyCost();
      const cpuMs = (cpu.user + cpu.system) / 1000;
      const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
      const cpuModel = cpus()[0]?.model.split(' ').slice(0, 2).join(' ') ?? 'unknown CPU';
      return [
        `Measured ${when} UTC with Node ${process.version} on ${cpuModel} (${cpus().length} cores, ${platform()} ${arch()}).`,
        '',
        '| measure | value |',
        '| --- | ---: |',
        `| buddies watched (one subscription each, digest-challenged) | ${BUDDIES} |`,
        `| time until every buddy's status is known (first SUBSCRIBE → last NOTIFY read) | ${allKnownMs.toFixed(0)} ms |`,
        `| engine CPU over that time (user + system, whole process) | ${cpuMs.toFixed(0)} ms (${((cpuMs / allKnownMs) * 100).toFixed(0)} % of one core) |`,
        `| engine heap held by ${BUDDIES} live subscriptions${global.gc ? '' : ' (no --expose-gc: includes garbage)'} | ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(1)} MiB (${((heapAfter - heapBefore) / 1024 / BUDDIES).toFixed(1)} KiB each) |`,
        `| one NOTIFY read (SIP parse + PIDF parse + merge, ${cost.bytes} bytes, 3 tuples and a person) | ${cost.perNotifyUs.toFixed(1)} µs |`,
        '',
        'Method: Kamailio 5.6 with presence and presence_xml (test/interop/kamailio/registrar.cfg with WITH_PRESENCE) on ' +
          '127.0.0.1; every buddy first publishes Away with a note from a second engine agent (not measured). One engine ' +
          'agent then starts all 500 watchers at once; each SUBSCRIBE is challenged with 407 and sent again with ' +
          'credentials, and Kamailio answers 202 and NOTIFYs the PIDF. The time ends when every watcher has read its ' +
          "buddy's Away. CPU is `process.cpuUsage()` over the same span (the benchmark's own polling included); heap is " +
          '`heapUsed` before and after, with a GC first when node runs with --expose-gc. The NOTIFY cost is a loop over ' +
          'one wire image, after a warm-up.',
        '',
        '**Through the engine** (createEngine with its store, AccountService and PresenceService; the watch list stands in for the contacts):',
        '',
        '| measure | value |',
        '| --- | ---: |',
        `| engine start with ${BUDDIES} watched contacts → every buddy.changed says away (createEngine, registration, paced SUBSCRIBEs, NOTIFYs) | ${startup.allKnownMs.toFixed(0)} ms |`,
        `| first watcher started → last buddy known (SUBSCRIBEs paced 20 every 50 ms, so 1.25 s of that is pacing) | ${startup.firstSubscribeSpreadMs.toFixed(0)} ms |`,
        `| CPU over that time (user + system, whole process) | ${startup.cpuMs.toFixed(0)} ms (${((startup.cpuMs / startup.allKnownMs) * 100).toFixed(0)} % of one core) |`,
        `| heap held by the engine with ${BUDDIES} buddies${global.gc ? '' : ' (no --expose-gc: includes garbage)'} | ${startup.heapMiB.toFixed(1)} MiB |`,
        `| presence.setStatus at bob's engine → buddy.changed at alice's (PUBLISH, Kamailio, NOTIFY), ${DELAY_SAMPLES} rounds: median | ${percentile(sorted, 0.5).toFixed(1)} ms |`,
        `| same, 90th percentile / highest | ${percentile(sorted, 0.9).toFixed(1)} ms / ${(sorted.at(-1) ?? 0).toFixed(1)} ms |`,
        '',
        "Method: alice's account is created in a first engine on a fresh data folder (which then stops); the measured " +
          `engine starts on that folder with ${BUDDIES} watched contacts, each buddy having published Away as above. ` +
          'The time runs from createEngine until every buddy.changed has said away; the engine runs in the ' +
          "benchmark's process, so CPU and heap are the process's. The delay rounds alternate away, busy, available " +
          "and do not disturb with a new non-ASCII note each time, and end when alice's engine emits the buddy.changed " +
          'with that note; both engines run in this process on 127.0.0.1, through Kamailio.',
      ].join('\n');
    } finally {
      await watcherAgent.shutdown(1_000);
      await publisherAgent.shutdown(1_000);
      await kamailio.stop();
      rmSync(root, { recursive: true, force: true });
    }
  },
};
