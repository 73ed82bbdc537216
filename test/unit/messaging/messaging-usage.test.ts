import { afterEach, describe, expect, it } from 'vitest';
import {
  MessagingUsage,
  type ReceivedComposing,
  type ReceivedMessage,
  type ReceivedVerdict,
  messagingHostOf,
} from '../../../main/messaging/messaging-usage';
import type { SipRequest } from '../../../main/sip/message/message';
import { type SipUri, parseUri } from '../../../main/sip/message/uri';
import type { TransportProtocol } from '../../../main/sip/transport/types';
import { UserAgent } from '../../../main/ua/user-agent';
import { LoopbackNetwork } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { ScriptedPeer } from '../../support/scripted-peer';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';

const CHALLENGE = 'Digest realm="example.test", nonce="n0nce", qop="auth", algorithm=MD5';
const TEXT = 'Shalom שלום, marhaba مرحبا 👋🏽 <b>&amp;</b>';

function sipUri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok || parsed.value.scheme !== 'sip') throw new Error(text);
  return parsed.value as SipUri;
}

interface Side {
  readonly ua: UserAgent;
  readonly usage: MessagingUsage;
  readonly received: ReceivedMessage[];
  readonly composing: ReceivedComposing[];
  verdict: (message: ReceivedMessage) => ReceivedVerdict;
}

const open: Array<() => void> = [];
afterEach(() => {
  for (const close of open.splice(0)) close();
});

async function world(protocols: TransportProtocol[] = ['udp']) {
  const clock = new ManualClock({ epochMs: Date.UTC(2026, 11, 5, 8, 0, 0) });
  const random = new SeededRandom(5);
  const network = new LoopbackNetwork({ clock, random: new SeededRandom(9) });
  const side = async (address: string, sideProtocols = protocols): Promise<Side> => {
    const ua = await UserAgent.start({
      sockets: network,
      clock,
      random,
      bindAddress: address,
      port: 5060,
      protocols: sideProtocols,
    });
    const usage = new MessagingUsage(messagingHostOf(ua));
    const made: Side = {
      ua,
      usage,
      received: [],
      composing: [],
      verdict: () => ({ kind: 'stored' }),
    };
    usage.setIncomingHandler((message) => {
      made.received.push(message);
      return made.verdict(message);
    });
    usage.onComposing((indication) => made.composing.push(indication));
    open.push(() => {
      usage.dispose();
      ua.transactions.shutdown();
      ua.transport.close();
    });
    return made;
  };
  const pass = async (ms: number): Promise<void> => {
    const target = clock.now() + ms;
    await settle(clock);
    for (;;) {
      const next = clock.nextTimerAt();
      if (next === undefined || next > target) break;
      clock.advance(next - clock.now());
      await settle(clock);
    }
    clock.advance(target - clock.now());
    await settle(clock);
  };
  return { clock, random, network, side, pass, settle: () => settle(clock) };
}

describe('MessagingUsage between two user agents', () => {
  it('sends UTF-8 text straight to an address and the far end keeps it, answered 200 only after storing', async () => {
    const w = await world();
    const alice = await w.side('10.0.0.1');
    const bob = await w.side('10.0.0.2');
    const sent = alice.usage.send(undefined, sipUri('sip:bob@10.0.0.2:5060'), TEXT);
    await w.settle();
    const outcome = await sent;
    expect(outcome).toEqual({ ok: true, status: 200, detail: '200 OK from 10.0.0.2:5060' });
    expect(bob.received).toHaveLength(1);
    const message = bob.received[0]!;
    expect(message.body).toBe(TEXT);
    expect(message.account).toBeUndefined();
    expect(message.from).toBe('sip:anonymous@10.0.0.1:5060');
    expect(message.dedupeKey).toMatch(/^sip:[0-9a-z]+:\d+$/);
  });

  it('maps the handler’s verdicts to 500 and the refusal’s status, and a throwing handler to 500', async () => {
    const w = await world();
    const alice = await w.side('10.0.0.1');
    const bob = await w.side('10.0.0.2');
    const to = sipUri('sip:bob@10.0.0.2:5060');
    bob.verdict = () => ({ kind: 'failed', detail: 'disk full' });
    const failed = alice.usage.send(undefined, to, 'one');
    await w.settle();
    expect(await failed).toMatchObject({ ok: false, failure: { reason: 'server-error', status: 500 } });
    bob.verdict = () => ({ kind: 'refused', status: 486, reason: 'Busy\r\nX: y' });
    const refused = alice.usage.send(undefined, to, 'two');
    await w.settle();
    expect(await refused).toMatchObject({ ok: false, failure: { reason: 'failed', status: 486 } });
    bob.verdict = () => {
      throw new Error('boom');
    };
    const thrown = alice.usage.send(undefined, to, 'three');
    await w.settle();
    expect(await thrown).toMatchObject({ ok: false, failure: { reason: 'server-error', status: 500 } });
  });

  it('answers 480 while no handler takes messages', async () => {
    const w = await world();
    const alice = await w.side('10.0.0.1');
    const bob = await w.side('10.0.0.2');
    bob.usage.setIncomingHandler(undefined);
    const sent = alice.usage.send(undefined, sipUri('sip:bob@10.0.0.2:5060'), 'hi');
    await w.settle();
    expect(await sent).toMatchObject({ ok: false, failure: { reason: 'unavailable', status: 480 } });
  });

  it('refuses a body over the limit before sending anything', async () => {
    const w = await world();
    const alice = await w.side('10.0.0.1');
    const outcome = await alice.usage.send(undefined, sipUri('sip:bob@10.0.0.2:5060'), 'x'.repeat(32_769));
    expect(outcome).toMatchObject({ ok: false, failure: { reason: 'too-large', status: null } });
    expect(w.network.sendTimes(/^MESSAGE /)).toHaveLength(0);
  });

  it('sends a message over 1,300 bytes over TCP when the target is on UDP, and refuses it without TCP', async () => {
    const w = await world(['udp', 'tcp']);
    const alice = await w.side('10.0.0.1');
    const bob = await w.side('10.0.0.2');
    const text = 'é'.repeat(1_000);
    const sent = alice.usage.send(undefined, sipUri('sip:bob@10.0.0.2:5060'), text);
    await w.settle();
    expect(await sent).toMatchObject({ ok: true, status: 200 });
    expect(bob.received[0]!.body).toBe(text);
    const udpOnly = await w.side('10.0.0.3', ['udp']);
    const refused = await udpOnly.usage.send(undefined, sipUri('sip:bob@10.0.0.2:5060'), text);
    expect(refused).toMatchObject({ ok: false, failure: { reason: 'too-large' } });
  });

  it('ends with timeout and the silent address when nobody answers (Timer F)', async () => {
    const w = await world();
    const alice = await w.side('10.0.0.1');
    await ScriptedPeer.start(w.network, '10.0.0.9');
    const silent = alice.usage.send(undefined, sipUri('sip:nobody@10.0.0.9:5060'), 'hello?');
    await w.pass(40_000);
    const outcome = await silent;
    expect(outcome).toMatchObject({ ok: false, failure: { reason: 'timeout', status: 408 } });
    if (!outcome.ok) expect(outcome.failure.detail).toContain('no answer from 10.0.0.9:5060');
  });

  it('answers a 407 once with the account’s credentials; a second challenge is auth-failed', async () => {
    const w = await world();
    const alice = await w.side('10.0.0.1');
    const proxy = await ScriptedPeer.start(w.network, '10.0.0.5');
    const account = alice.ua.addAccount({
      aor: sipUri('sip:alice@example.test'),
      password: 'secret',
      outboundProxy: sipUri('sip:10.0.0.5:5060'),
      transport: 'udp',
      expires: 300,
    });
    let accept = true;
    proxy.autoRespond((request) => {
      if (request.method !== 'MESSAGE') return;
      if (!request.hasHeader('proxy-authorization') || !accept)
        proxy.reply(request, 407, { headers: [['Proxy-Authenticate', CHALLENGE]], toTag: 'p1' });
      else proxy.reply(request, 202, { toTag: 'p2' });
    });
    const sent = alice.usage.send(account, sipUri('sip:bob@example.test'), TEXT);
    await w.settle();
    expect(await sent).toEqual({ ok: true, status: 202, detail: '202 Accepted from 10.0.0.5:5060' });
    const [first, second] = proxy.requests('MESSAGE');
    expect(second!.callId).toBe(first!.callId);
    expect(second!.cseq.seq).toBe(first!.cseq.seq + 1);
    expect(second!.from.tag).toBe(first!.from.tag);
    expect(second!.header('proxy-authorization')).toContain('username="alice"');
    expect(second!.header('content-type')).toBe('text/plain;charset=UTF-8');
    expect(new TextDecoder().decode(second!.body)).toBe(TEXT);
    expect(second!.header('route')).toContain('10.0.0.5');
    expect(second!.header('date')).toMatch(/GMT$/);

    accept = false;
    const refused = alice.usage.send(account, sipUri('sip:bob@example.test'), 'again');
    await w.settle();
    expect(await refused).toMatchObject({ ok: false, failure: { reason: 'auth-failed', status: 407 } });
  });

  it('names the account a MESSAGE came to by its To, else by the Request-URI', async () => {
    const w = await world();
    const alice = await w.side('10.0.0.1');
    const bob = await w.side('10.0.0.2');
    const bobAccount = bob.ua.addAccount({
      aor: sipUri('sip:bob@example.test'),
      password: 'x',
      transport: 'udp',
      expires: 300,
    });
    const sent = alice.usage.send(undefined, sipUri('sip:bob@10.0.0.2:5060'), 'to the contact');
    await w.settle();
    expect(await sent).toMatchObject({ ok: true });
    expect(bob.received[0]!.account).toBe(bobAccount);
  });
});

describe('MessagingUsage bounds', () => {
  it('fails a send at once past the messages in flight, and ends those in flight as failed on dispose', async () => {
    const w = await world();
    const clock = w.clock;
    const ua = await UserAgent.start({
      sockets: w.network,
      clock,
      random: w.random,
      bindAddress: '10.0.0.4',
      port: 5060,
      protocols: ['udp'],
    });
    const usage = new MessagingUsage(messagingHostOf(ua), { maxInFlight: 2 });
    open.push(() => {
      usage.dispose();
      ua.transactions.shutdown();
      ua.transport.close();
    });
    await ScriptedPeer.start(w.network, '10.0.0.9');
    const target = sipUri('sip:silent@10.0.0.9:5060');
    const waiting = [usage.send(undefined, target, 'one'), usage.send(undefined, target, 'two')];
    await w.settle();
    expect(usage.inFlight).toBe(2);
    expect(await usage.send(undefined, target, 'three')).toMatchObject({
      ok: false,
      failure: { reason: 'failed', detail: '2 messages are waiting for an answer already' },
    });
    usage.dispose();
    for (const outcome of await Promise.all(waiting))
      expect(outcome).toMatchObject({ ok: false, failure: { reason: 'failed' } });
    expect(usage.inFlight).toBe(0);
  });

  it('stops telling a peer about typing once an indication is only stored (202)', async () => {
    const w = await world();
    const alice = await w.side('10.0.0.1');
    const peer = await ScriptedPeer.start(w.network, '10.0.0.7');
    let status = 200;
    peer.autoRespond((request) => peer.reply(request, status, { toTag: 't' }));
    const target = sipUri('sip:carol@10.0.0.7:5060');
    await Promise.all([alice.usage.send(undefined, target, 'hi'), w.settle()]);
    status = 202;
    alice.usage.setComposing(undefined, target, 'active');
    await w.settle();
    expect(peer.requests('MESSAGE')).toHaveLength(2);
    await w.pass(20_000);
    alice.usage.setComposing(undefined, target, 'active');
    await w.pass(20_000);
    expect(peer.requests('MESSAGE')).toHaveLength(2);
  });
});

describe('MessagingUsage with hostile requests', () => {
  async function rawPeer() {
    const w = await world();
    const bob = await w.side('10.0.0.2');
    const peer = await ScriptedPeer.start(w.network, '10.0.0.7');
    // Raw bytes go out from a socket of their own (ScriptedPeer sends text as UTF-8); the Via brings answers to peer.
    const raw = await w.network.bindDatagram('10.0.0.7', 5061);
    let n = 0;
    const send = async (headers: string[], body: Uint8Array | string): Promise<number> => {
      n++;
      const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
      const head = [
        'MESSAGE sip:bob@10.0.0.2:5060 SIP/2.0',
        `Via: SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bKhostile${n}`,
        'Max-Forwards: 70',
        'From: "Mallory" <sip:mallory@10.0.0.7>;tag=m1',
        'To: <sip:bob@10.0.0.2:5060>',
        `Call-ID: hostile-${n}`,
        `CSeq: ${n} MESSAGE`,
        ...headers,
        `Content-Length: ${bytes.length}`,
        '',
        '',
      ].join('\r\n');
      const packet = new Uint8Array([...new TextEncoder().encode(head), ...bytes]);
      raw.send(packet, 5060, '10.0.0.2');
      await w.settle();
      const responses = peer.responses().filter((response) => response.callId === `hostile-${n}`);
      return responses.at(-1)?.status ?? 0;
    };
    return { w, bob, peer, send };
  }

  it('replaces invalid UTF-8 and decodes a named charset', async () => {
    const { bob, send } = await rawPeer();
    expect(await send(['Content-Type: text/plain'], new Uint8Array([0x68, 0xff, 0xfe, 0x69]))).toBe(200);
    expect(bob.received[0]!.body).toBe('h\ufffd\ufffdi');
    expect(
      await send(
        ['Content-Type: text/plain; charset="ISO-8859-1"'],
        new Uint8Array([0x63, 0x61, 0x66, 0xe9]),
      ),
    ).toBe(200);
    expect(bob.received[1]!.body).toBe('café');
    expect(bob.received[1]!.fromName).toBe('Mallory');
  });

  it('refuses an unknown charset, another type and a coding with 415 naming what it takes', async () => {
    const { peer, send } = await rawPeer();
    expect(await send(['Content-Type: text/plain;charset=x-klingon'], 'qapla')).toBe(415);
    expect(await send(['Content-Type: text/html'], '<b>hi</b>')).toBe(415);
    expect(peer.responses().at(-1)!.header('accept')).toBe(
      'text/plain, message/cpim, application/im-iscomposing+xml',
    );
    expect(await send(['Content-Type: text/plain', 'Content-Encoding: gzip'], 'x')).toBe(415);
    expect(await send([], 'no type')).toBe(415);
  });

  it('answers 413 past the size it takes and 400 for a broken is-composing document, never throwing', async () => {
    const { bob, send } = await rawPeer();
    expect(await send(['Content-Type: text/plain'], 'x'.repeat(40_000))).toBe(413);
    expect(
      await send(
        ['Content-Type: application/im-iscomposing+xml'],
        '<!DOCTYPE x [<!ENTITY a "b">]><isComposing/>',
      ),
    ).toBe(400);
    expect(await send(['Content-Type: application/im-iscomposing+xml'], '<isComposing')).toBe(400);
    expect(bob.received).toHaveLength(0);
    expect(bob.composing).toHaveLength(0);
  });

  it('reads the text out of a simple message/cpim and its DateTime', async () => {
    const { bob, send } = await rawPeer();
    const cpim = [
      'From: Mallory <im:mallory@example.test>',
      'DateTime: 2026-12-01T10:00:00Z',
      '',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'inside 📦',
    ].join('\r\n');
    expect(await send(['Content-Type: message/cpim'], cpim)).toBe(200);
    expect(bob.received[0]!.body).toBe('inside 📦');
    expect(bob.received[0]!.date).toBe(Date.UTC(2026, 11, 1, 10));
  });

  it('takes a sane Date header and ignores an absurd one', async () => {
    const { bob, send } = await rawPeer();
    expect(await send(['Content-Type: text/plain', 'Date: Tue, 01 Dec 2026 09:30:00 GMT'], 'a')).toBe(200);
    expect(await send(['Content-Type: text/plain', 'Date: Sat, 01 Jan 1972 00:00:00 GMT'], 'b')).toBe(200);
    expect(await send(['Content-Type: text/plain', 'Date: yesterday'], 'c')).toBe(200);
    expect(bob.received.map((message) => message.date)).toEqual([Date.UTC(2026, 11, 1, 9, 30), null, null]);
  });
});

function requestBody(request: SipRequest): string {
  return new TextDecoder().decode(request.body);
}

describe('is-composing between two user agents', () => {
  it('is sent only after text was exchanged; active, then idle after 15 s; the receiver sees both', async () => {
    const w = await world();
    const alice = await w.side('10.0.0.1');
    const bob = await w.side('10.0.0.2');
    const bobUri = sipUri('sip:bob@10.0.0.2:5060');
    alice.usage.setComposing(undefined, bobUri, 'active');
    await w.settle();
    expect(w.network.sendTimes(/^MESSAGE /)).toHaveLength(0);

    const first = alice.usage.send(undefined, bobUri, 'hi');
    await w.settle();
    await first;
    alice.usage.setComposing(undefined, bobUri, 'active');
    await w.settle();
    expect(bob.composing.map((c) => c.state)).toEqual(['active']);
    await w.pass(10_000);
    alice.usage.setComposing(undefined, bobUri, 'active');
    await w.pass(14_000);
    expect(bob.composing.map((c) => c.state)).toEqual(['active']);
    await w.pass(1_500);
    expect(bob.composing.map((c) => c.state)).toEqual(['active', 'idle']);
    expect(bob.composing[0]!.from).toBe('sip:anonymous@10.0.0.1:5060');
  });

  it('a text message ends the peer’s active state without an idle indication', async () => {
    const w = await world();
    const alice = await w.side('10.0.0.1');
    const bob = await w.side('10.0.0.2');
    const bobUri = sipUri('sip:bob@10.0.0.2:5060');
    await Promise.all([alice.usage.send(undefined, bobUri, 'hi'), w.settle()]);
    alice.usage.setComposing(undefined, bobUri, 'active');
    await w.settle();
    const before = w.network.sendTimes(/^MESSAGE /).length;
    await Promise.all([alice.usage.send(undefined, bobUri, 'done typing'), w.settle()]);
    await w.pass(30_000);
    expect(w.network.sendTimes(/^MESSAGE /).length).toBe(before + 1);
    expect(bob.composing.map((c) => c.state)).toEqual(['active', 'idle']);
    expect(bob.received.map((m) => m.body)).toEqual(['hi', 'done typing']);
  });

  it('an active state from the peer runs out after its refresh interval', async () => {
    const w = await world();
    const bob = await w.side('10.0.0.2');
    const peer = await ScriptedPeer.start(w.network, '10.0.0.7');
    const doc =
      '<?xml version="1.0"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state><refresh>60</refresh></isComposing>';
    peer.sendText(
      [
        'MESSAGE sip:bob@10.0.0.2:5060 SIP/2.0',
        'Via: SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bKc1',
        'Max-Forwards: 70',
        'From: <sip:carol@10.0.0.7>;tag=c1',
        'To: <sip:bob@10.0.0.2:5060>',
        'Call-ID: composing-1',
        'CSeq: 1 MESSAGE',
        'Content-Type: application/im-iscomposing+xml',
        `Content-Length: ${doc.length}`,
        '',
        doc,
      ].join('\r\n'),
      '10.0.0.2',
    );
    await w.settle();
    expect(peer.responses()[0]!.status).toBe(200);
    expect(bob.composing.map((c) => c.state)).toEqual(['active']);
    await w.pass(59_000);
    expect(bob.composing).toHaveLength(1);
    await w.pass(1_000);
    expect(bob.composing.map((c) => [c.from, c.state])).toEqual([
      ['sip:carol@10.0.0.7', 'active'],
      ['sip:carol@10.0.0.7', 'idle'],
    ]);
  });

  it('builds its indications as RFC 3994 documents', async () => {
    const w = await world();
    const alice = await w.side('10.0.0.1');
    const peer = await ScriptedPeer.start(w.network, '10.0.0.7');
    peer.autoRespond((request) => peer.reply(request, 200, { toTag: 't' }));
    const target = sipUri('sip:carol@10.0.0.7:5060');
    await Promise.all([alice.usage.send(undefined, target, 'hi'), w.settle()]);
    alice.usage.setComposing(undefined, target, 'active');
    await w.settle();
    alice.usage.setComposing(undefined, target, 'idle');
    await w.settle();
    const [, active, idle] = peer.requests('MESSAGE');
    expect(active!.header('content-type')).toBe('application/im-iscomposing+xml');
    expect(requestBody(active!)).toContain('<state>active</state>');
    expect(requestBody(active!)).toContain('<refresh>120</refresh>');
    expect(requestBody(idle!)).toContain('<state>idle</state>');
  });
});

describe('who a peer is (RFC 3261 §19.1.4)', () => {
  const ACTIVE =
    '<?xml version="1.0"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state></isComposing>';
  const IDLE =
    '<?xml version="1.0"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>idle</state></isComposing>';

  /** A peer at 10.0.0.7 that writes to bob (at 10.0.0.2) from whatever From it is given. */
  async function writer() {
    const w = await world();
    const bob = await w.side('10.0.0.2');
    const peer = await ScriptedPeer.start(w.network, '10.0.0.7');
    let n = 0;
    const write = async (
      from: string,
      contentType: string,
      body: string,
      to = 'sip:bob@10.0.0.2:5060',
    ): Promise<number> => {
      n++;
      peer.sendText(
        [
          'MESSAGE sip:bob@10.0.0.2:5060 SIP/2.0',
          `Via: SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bKwho${n}`,
          'Max-Forwards: 70',
          `From: <${from}>;tag=w${n}`,
          `To: <${to}>`,
          `Call-ID: who-${n}`,
          `CSeq: ${n} MESSAGE`,
          `Content-Type: ${contentType}`,
          `Content-Length: ${new TextEncoder().encode(body).length}`,
          '',
          body,
        ].join('\r\n'),
        '10.0.0.2',
      );
      await w.settle();
      return peer.responses().find((response) => response.callId === `who-${n}`)?.status ?? 0;
    };
    return { w, bob, peer, write };
  }

  it('follows one typing peer whatever the case of its host, but tells users apart by case', async () => {
    const { bob, write } = await writer();
    const xml = 'application/im-iscomposing+xml';
    expect(await write('sip:carol@Example.TEST', xml, ACTIVE)).toBe(200);
    expect(await write('sip:carol@example.test', xml, ACTIVE)).toBe(200);
    expect(bob.usage.composingSize.theirs).toBe(1);
    expect(await write('sip:carol@EXAMPLE.test', xml, IDLE)).toBe(200);
    expect(bob.composing.map((c) => c.state)).toEqual(['active', 'idle']);
    expect(bob.usage.composingSize.theirs).toBe(0);
    // The user part is case-sensitive: Carol is somebody else.
    await write('sip:carol@example.test', xml, ACTIVE);
    await write('sip:Carol@example.test', xml, ACTIVE);
    expect(bob.usage.composingSize.theirs).toBe(2);
  });

  it('lets a peer who wrote from one spelling of its host hear our typing at another', async () => {
    const { w, bob, peer, write } = await writer();
    const proxied = bob.ua.addAccount({
      aor: sipUri('sip:bob@example.test'),
      password: 'x',
      outboundProxy: sipUri('sip:10.0.0.7:5060'),
      transport: 'udp',
      expires: 300,
    });
    peer.autoRespond((request) => peer.reply(request, 200, { toTag: 'p' }));
    // Carol writes to bob's account from one spelling of her host; bob's typing goes to another.
    expect(await write('sip:carol@Example.TEST', 'text/plain', 'hi bob', 'sip:bob@example.test')).toBe(200);
    expect(bob.received[0]!.account).toBe(proxied);
    bob.usage.setComposing(proxied, sipUri('sip:carol@example.test'), 'active');
    await w.settle();
    // Text sent to one spelling ends the typing; typing at a third spelling is the same conversation again.
    await Promise.all([bob.usage.send(proxied, sipUri('sip:carol@example.test'), 'hi carol'), w.settle()]);
    bob.usage.setComposing(proxied, sipUri('sip:carol@EXAMPLE.test'), 'active');
    await w.settle();
    bob.usage.setComposing(proxied, sipUri('sip:carol@example.TEST;transport=udp'), 'active');
    await w.settle();
    const sent = peer.requests('MESSAGE');
    expect(sent.map((request) => request.header('content-type'))).toEqual([
      'application/im-iscomposing+xml',
      'text/plain;charset=UTF-8',
      'application/im-iscomposing+xml',
    ]);
    expect(bob.usage.composingSize.ours).toBe(1);
  });

  it('never hands on the password of a sender address (§19.1.1), in text or in typing', async () => {
    const { bob, write } = await writer();
    expect(await write('sip:mallory:hunter2@10.0.0.7', 'text/plain', 'hi')).toBe(200);
    expect(await write('sip:mallory:hunter2@10.0.0.7', 'application/im-iscomposing+xml', ACTIVE)).toBe(200);
    expect(bob.received.map((message) => message.from)).toEqual(['sip:mallory@10.0.0.7']);
    expect(bob.composing.map((indication) => indication.from)).toEqual(['sip:mallory@10.0.0.7']);
  });
});
