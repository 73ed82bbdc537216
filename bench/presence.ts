// Presence at buddy-list scale (issue 9 §7): 500 buddies, each with its own presence subscription through the
// project's Kamailio as presence server, watched by one engine user agent; how long until every buddy's status is
// known, what it costs the engine (heap, CPU), and what one NOTIFY costs to read.
import { arch, cpus, platform } from 'node:os';
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

export const benchmark: Benchmark = {
  section: 'Presence: 500 watched buddies through Kamailio',
  async run() {
    const users = [
      { username: 'alice', password: 'alice-pw' },
      ...Array.from({ length: BUDDIES }, (_, i) => ({ username: `buddy${i}`, password: `pw${i}` })),
    ];
    const kamailio = await startKamailio({ users, presence: true });
    const publisherAgent = await agent();
    const watcherAgent = await agent();
    try {
      // Every buddy publishes Away with a note first, from one agent with 500 accounts (not measured).
      const publishers = users.slice(1).map((user) => {
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
      const watchers = users.slice(1).map((user) => {
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
      ].join('\n');
    } finally {
      await watcherAgent.shutdown(1_000);
      await publisherAgent.shutdown(1_000);
      await kamailio.stop();
    }
  },
};
