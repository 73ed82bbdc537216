// Mutation fuzzing of what a stranger can put in a MESSAGE: bodies of random bytes, flipped and cut documents, and
// Content-Type, Content-Encoding and Date values built from the pieces that matter, through the whole usage on the
// loopback network. Every MESSAGE must get exactly one final response with a status the table in the README allows,
// nothing may throw out of the usage, and what reaches the handler is text.
import { describe, expect, it } from 'vitest';
import { MessagingUsage, messagingHostOf } from '../../../main/messaging/messaging-usage';
import { buildIsComposing } from '../../../main/messaging/is-composing-document';
import { UserAgent } from '../../../main/ua/user-agent';
import { LoopbackNetwork } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { ScriptedPeer } from '../../support/scripted-peer';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';

const TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'text/plain;charset="UTF-16LE"',
  'text/plain; charset=iso-2022-jp',
  'text/plain; charset=',
  'text/plain; charset=\u00ff',
  'message/cpim',
  'application/im-iscomposing+xml',
  'application/im-iscomposing+xml; charset=utf-8',
  'text/html',
  'multipart/mixed; boundary=x',
  'text',
  '/',
  '',
];
const SEEDS = [
  buildIsComposing('active', 60),
  'From: <im:x@y>\r\n\r\nContent-Type: text/plain\r\n\r\nhi',
  'plain words שלום 🙂',
  '<?xml version="1.0"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>idle</state></isComposing>',
];
const ALLOWED = new Set([200, 400, 413, 415, 480, 500]);

describe('MESSAGE fuzzing', () => {
  it('answers every mutated MESSAGE once with a listed status, never throwing', async () => {
    const clock = new ManualClock();
    const network = new LoopbackNetwork({ clock, random: new SeededRandom(3) });
    const ua = await UserAgent.start({
      sockets: network,
      clock,
      random: new SeededRandom(4),
      bindAddress: '10.0.0.2',
      port: 5060,
      protocols: ['udp'],
    });
    const usage = new MessagingUsage(messagingHostOf(ua));
    const bodies: string[] = [];
    usage.setIncomingHandler((message) => {
      bodies.push(message.body);
      return { kind: 'stored' };
    });
    const peer = await ScriptedPeer.start(network, '10.0.0.9');
    const raw = await network.bindDatagram('10.0.0.9', 5061);
    const random = new SeededRandom(2026);
    const pick = <T>(items: readonly T[]): T => items[random.uint32() % items.length]!;
    const rounds = 400;
    for (let n = 0; n < rounds; n++) {
      let body: Uint8Array = new TextEncoder().encode(pick(SEEDS));
      const mutation = random.uint32() % 4;
      if (mutation === 0) body = random.bytes(random.uint32() % 300);
      else if (mutation === 1) body = body.subarray(0, random.uint32() % (body.length + 1));
      else if (mutation === 2) {
        body = body.slice();
        for (let i = 0; i < 4 && body.length > 0; i++)
          body[random.uint32() % body.length] = random.uint32() & 0xff;
      }
      const headers = [`Content-Type: ${pick(TYPES)}`];
      if (random.uint32() % 5 === 0) headers.push(`Content-Encoding: ${pick(['gzip', 'identity', ''])}`);
      if (random.uint32() % 5 === 0)
        headers.push(
          `Date: ${pick(['Thu, 01 Jan 1970 00:00:00 GMT', 'Mon, 99 Foo 2026 99:99:99 GMT', 'x'])}`,
        );
      const head = [
        'MESSAGE sip:bob@10.0.0.2:5060 SIP/2.0',
        `Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bKfuzz${n}`,
        'Max-Forwards: 70',
        `From: <sip:f${n % 7}@10.0.0.9>;tag=f${n}`,
        'To: <sip:bob@10.0.0.2:5060>',
        `Call-ID: fuzz-${n}`,
        `CSeq: 1 MESSAGE`,
        ...headers,
        `Content-Length: ${body.length}`,
        '',
        '',
      ].join('\r\n');
      raw.send(new Uint8Array([...new TextEncoder().encode(head), ...body]), 5060, '10.0.0.2');
      await settle(clock);
    }
    const finals = peer.responses();
    const byCallId = new Map<string, number[]>();
    for (const response of finals)
      byCallId.set(response.callId, [...(byCallId.get(response.callId) ?? []), response.status]);
    // A header the parser itself refuses is answered 400 by the transport's salvage path; all others by the usage.
    expect(byCallId.size).toBe(rounds);
    for (const [callId, statuses] of byCallId) {
      expect(statuses, callId).toHaveLength(1);
      expect(ALLOWED.has(statuses[0]!), `${callId}: ${statuses[0]}`).toBe(true);
    }
    expect(bodies.every((body) => typeof body === 'string')).toBe(true);
    expect(usage.composingSize.theirs).toBeLessThanOrEqual(256);
    usage.dispose();
    ua.transactions.shutdown();
    ua.transport.close();
  });
});
