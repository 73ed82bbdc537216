import { describe, expect, it } from 'vitest';
import type { SipRequest } from '../../../main/sip/message/message';
import { parseMessage } from '../../../main/sip/message/parse';
import { serializeMessage } from '../../../main/sip/message/serialize';
import { type SipUri, type Uri, parseUri } from '../../../main/sip/message/uri';
import type { Destination } from '../../../main/sip/transport/types';
import { type Capabilities, RequestFactory } from '../../../main/ua/request-factory';
import { SeededRandom } from '../../support/seeded-random';

const UDP: Destination = { protocol: 'udp', address: '10.0.0.1', port: 5060 };
const TCP: Destination = { protocol: 'tcp', address: '10.0.0.1', port: 5060 };

function uri(text: string): Uri {
  const parsed = parseUri(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.value;
}

/** What the peer would read: the request through the wire format, with the Via the transaction layer adds. */
function onTheWire(request: SipRequest): SipRequest {
  request.prependHeader('Via', 'SIP/2.0/UDP 10.0.0.2:5062;branch=z9hG4bKtest');
  const parsed = parseMessage(serializeMessage(request), { strict: true });
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error(JSON.stringify(parsed));
  return parsed.message;
}

function factory(options: { capabilities?: Capabilities; proxy?: boolean; instanceId?: string } = {}) {
  let capabilities: Capabilities = options.capabilities ?? {
    allow: ['INVITE', 'ACK', 'CANCEL', 'OPTIONS'],
    supported: [],
  };
  const requests = new RequestFactory({
    random: new SeededRandom(5),
    identity: { aor: uri('sip:alice@example.test') as SipUri, displayName: 'Alice Liddell' },
    contactAddress: (destination) => ({
      host: '10.0.0.2',
      port: destination.protocol === 'tcp' ? 5063 : 5062,
    }),
    capabilities: () => capabilities,
    userAgent: 'softphone-test/1',
    ...(options.proxy
      ? { routeSet: [{ uri: uri('sip:10.0.0.1:5060;lr'), params: new Map<string, string | null>() }] }
      : {}),
    ...(options.instanceId ? { instanceId: options.instanceId } : {}),
  });
  return {
    requests,
    setCapabilities: (next: Capabilities) => {
      capabilities = next;
    },
  };
}

describe('RequestFactory', () => {
  it('builds the RFC 3261 §8.1.1 header set of an out-of-dialog request', () => {
    const { requests } = factory();
    const request = onTheWire(
      requests.create(UDP, { method: 'OPTIONS', requestUri: uri('sip:bob@example.test') }),
    );
    expect(request.method).toBe('OPTIONS');
    expect(request.requestUriText).toBe('sip:bob@example.test');
    expect(request.from.uri).toMatchObject({ user: 'alice', host: 'example.test' });
    expect(request.from.displayName).toBe('Alice Liddell');
    expect(request.from.tag).toMatch(/^[0-9a-z]{10}$/);
    expect(request.to.uri).toMatchObject({ user: 'bob', host: 'example.test' });
    expect(request.to.tag).toBeUndefined();
    expect(request.callId).toMatch(/^[0-9a-z]{20}$/);
    expect(request.cseq).toEqual({ seq: 1, method: 'OPTIONS' });
    expect(request.maxForwards).toBe(70);
    expect(request.allow).toEqual(['INVITE', 'ACK', 'CANCEL', 'OPTIONS']);
    expect(request.header('user-agent')).toBe('softphone-test/1');
    expect(request.hasHeader('contact')).toBe(false);
    expect(request.hasHeader('route')).toBe(false);
  });

  it('gives each one-off request its own Call-ID and From tag', () => {
    const { requests } = factory();
    const a = requests.create(UDP, { method: 'MESSAGE', requestUri: uri('sip:bob@example.test') });
    const b = requests.create(UDP, { method: 'MESSAGE', requestUri: uri('sip:bob@example.test') });
    expect(a.callId).not.toBe(b.callId);
    expect(a.from.tag).not.toBe(b.from.tag);
  });

  it('keeps a From tag the usage chose, so a SUBSCRIBE retried with credentials stays one would-be dialog', () => {
    const { requests } = factory();
    const sequence = requests.sequence();
    const tag = requests.newTag();
    const spec = {
      method: 'SUBSCRIBE',
      requestUri: uri('sip:bob@example.test'),
      contact: true,
      fromTag: tag,
    };
    const a = onTheWire(sequence.next(UDP, spec));
    const b = onTheWire(sequence.next(UDP, spec));
    expect([a.from.tag, b.from.tag]).toEqual([tag, tag]);
    expect(b.cseq.seq).toBe(a.cseq.seq + 1);
  });

  it('keeps one Call-ID in a sequence and counts its CSeq up by one (RFC 3261 §10.2.4)', () => {
    const { requests } = factory();
    const sequence = requests.sequence();
    const first = sequence.nextCSeq;
    expect(first).toBeGreaterThanOrEqual(1);
    expect(first).toBeLessThan(2 ** 31);
    const spec = { method: 'REGISTER', requestUri: uri('sip:example.test'), contact: true } as const;
    const a = sequence.next(UDP, spec);
    const b = sequence.next(UDP, spec);
    expect(a.callId).toBe(sequence.callId);
    expect(b.callId).toBe(sequence.callId);
    expect([a.cseq.seq, b.cseq.seq]).toEqual([first, first + 1]);
  });

  it('adds our Contact for the flow when asked: sent-by address, transport=tcp over TCP, +sip.instance', () => {
    const { requests } = factory({ instanceId: 'urn:uuid:00000000-0000-4000-8000-000000000001' });
    const udp = onTheWire(
      requests.create(UDP, { method: 'INVITE', requestUri: uri('sip:bob@x.test'), contact: true }),
    );
    expect(udp.contact[0]?.uri).toMatchObject({ user: 'alice', host: '10.0.0.2', port: 5062 });
    expect((udp.contact[0]?.uri as SipUri).params.has('transport')).toBe(false);
    expect(udp.contact[0]?.params.get('+sip.instance')).toBe(
      '<urn:uuid:00000000-0000-4000-8000-000000000001>',
    );
    const tcp = onTheWire(
      requests.create(TCP, { method: 'SUBSCRIBE', requestUri: uri('sip:bob@x.test'), contact: true }),
    );
    expect(tcp.contact[0]?.uri).toMatchObject({ host: '10.0.0.2', port: 5063 });
    expect((tcp.contact[0]?.uri as SipUri).params.get('transport')).toBe('tcp');
  });

  it('preloads the outbound proxy as a loose route (RFC 3261 §8.1.2)', () => {
    const { requests } = factory({ proxy: true });
    const request = onTheWire(
      requests.create(UDP, { method: 'PUBLISH', requestUri: uri('sip:alice@example.test') }),
    );
    expect(request.route).toHaveLength(1);
    expect(request.route[0]?.uri).toMatchObject({ host: '10.0.0.1', port: 5060 });
    expect((request.route[0]?.uri as SipUri).params.has('lr')).toBe(true);
  });

  it('reads the capabilities when it builds, so Allow follows the UAS core', () => {
    const { requests, setCapabilities } = factory();
    setCapabilities({
      allow: ['INVITE', 'ACK', 'CANCEL', 'OPTIONS', 'MESSAGE'],
      supported: ['path', 'gruu'],
    });
    const request = onTheWire(
      requests.create(UDP, { method: 'REGISTER', requestUri: uri('sip:example.test') }),
    );
    expect(request.allow).toEqual(['INVITE', 'ACK', 'CANCEL', 'OPTIONS', 'MESSAGE']);
    expect(request.supported).toEqual(['path', 'gruu']);
    setCapabilities({ allow: [], supported: [] });
    const bare = requests.create(UDP, { method: 'REGISTER', requestUri: uri('sip:example.test') });
    expect(bare.hasHeader('allow')).toBe(false);
    expect(bare.hasHeader('supported')).toBe(false);
  });

  it('serves every out-of-dialog method: a To from the target without its routing parameters, a body', () => {
    const { requests } = factory();
    const body = new TextEncoder().encode('hello');
    const message = onTheWire(
      requests.create(UDP, {
        method: 'MESSAGE',
        requestUri: uri('sip:bob@example.test;transport=tcp'),
        headers: [['Subject', 'hi']],
        body,
        contentType: 'text/plain',
      }),
    );
    expect(message.to.uri).toMatchObject({ user: 'bob', host: 'example.test' });
    expect((message.to.uri as SipUri).params.size).toBe(0);
    expect(message.header('subject')).toBe('hi');
    expect(message.header('content-type')).toBe('text/plain');
    expect(message.bodyText).toBe('hello');
    for (const method of ['INVITE', 'SUBSCRIBE', 'PUBLISH', 'OPTIONS', 'REGISTER']) {
      expect(requests.create(UDP, { method, requestUri: uri('sip:bob@example.test') }).method).toBe(method);
    }
  });

  it('refuses ACK and CANCEL, which are built from their INVITE', () => {
    const { requests } = factory();
    for (const method of ['ACK', 'CANCEL'])
      expect(() => requests.create(UDP, { method, requestUri: uri('sip:bob@example.test') })).toThrow(
        TypeError,
      );
  });
});
