import { describe, expect, it } from 'vitest';
import { parsePidf } from '../../../main/presence/pidf';
import { PresencePublisher } from '../../../main/presence/presence-publisher';
import { mergePresence } from '../../../main/presence/presence-merge';
import type { PublicationState } from '../../../main/presence/publication';
import { createResponse } from '../../../main/sip/message/builders';
import type { SipRequest } from '../../../main/sip/message/message';
import type { Destination } from '../../../main/sip/transport/types';
import { NoNameResolver } from '../../../main/ua/next-hop';
import { RequestFactory } from '../../../main/ua/request-factory';
import type { RequestOutcomeListener, RequestSender } from '../../../main/ua/request-sender';
import { ManualClock } from '../../support/manual-clock';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';
import { sipUri, wire } from '../../support/subscriber-harness';

const CHALLENGE = 'Digest realm="example.test", nonce="abc123", qop="auth", algorithm=MD5';

interface Sent {
  readonly request: SipRequest;
  readonly destination: Destination;
  readonly listener: RequestOutcomeListener;
  readonly at: number;
}

/** A presence server script: each PUBLISH waits for the test to answer it. */
class FakeServer implements RequestSender {
  readonly sent: Sent[] = [];
  #etags = 0;
  constructor(private readonly clock: ManualClock) {}

  sendRequest(request: SipRequest, destination: Destination, listener: RequestOutcomeListener): void {
    request.prependHeader('Via', `SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK${this.sent.length}`);
    this.sent.push({ request: wire(request), destination, listener, at: this.clock.now() });
  }

  get last(): Sent {
    const last = this.sent.at(-1);
    if (!last) throw new Error('nothing sent');
    return last;
  }

  answer(status: number, headers: Array<[string, string]> = []): void {
    const { request, listener } = this.last;
    listener.onFinal(wire(createResponse(request, status, { toTag: 'srv', headers })));
  }

  /** 200 OK with a new entity-tag and the lifetime granted. */
  accept(expires = 3600): string {
    const etag = `etag${++this.#etags}`;
    this.answer(200, [
      ['SIP-ETag', etag],
      ['Expires', String(expires)],
    ]);
    return etag;
  }
}

function setup() {
  const clock = new ManualClock();
  const random = new SeededRandom(3);
  const server = new FakeServer(clock);
  const requests = new RequestFactory({
    random,
    identity: { aor: sipUri('sip:bob@example.test') },
    contactAddress: () => ({ host: '127.0.0.1', port: 5099 }),
    capabilities: () => ({ allow: ['INVITE', 'ACK'], supported: [] }),
  });
  const publisher = new PresencePublisher(
    {
      requests,
      password: 'secret',
      outboundProxy: sipUri('sip:127.0.0.1:5060'),
      transport: 'udp',
      backoff: { baseMs: 1_000, maxMs: 8_000 },
    },
    { clock, random, sender: server, resolver: new NoNameResolver() },
    { contact: 'sip:bob@127.0.0.1:5099' },
  );
  const states: PublicationState[] = [];
  publisher.onStateChanged((state) => states.push(state));
  return { clock, server, publisher, states };
}

function bodyOf(request: SipRequest) {
  const parsed = parsePidf(request.body);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return mergePresence(parsed.value);
}

describe('PresencePublisher (RFC 3903)', () => {
  it('publishes, refreshes without a body, modifies with SIP-If-Match, removes with Expires: 0', async () => {
    const { clock, server, publisher, states } = setup();
    publisher.setStatus('away', 'Zurück um 15 Uhr 🙂');
    await settle(clock);
    const initial = server.last.request;
    expect(initial.method).toBe('PUBLISH');
    expect(initial.requestUriText).toBe('sip:bob@example.test');
    expect(initial.header('event')).toBe('presence');
    expect(initial.header('expires')).toBe('3600');
    expect(initial.header('content-type')).toBe('application/pidf+xml');
    expect(initial.hasHeader('sip-if-match')).toBe(false);
    expect(bodyOf(initial)).toMatchObject({ availability: 'away', note: { text: 'Zurück um 15 Uhr 🙂' } });
    const etag = server.accept(100);
    expect(states.at(-1)).toEqual({ name: 'published', etag, expires: 100 });

    clock.advance(90_000);
    await settle(clock);
    const refresh = server.last.request;
    expect(refresh.header('sip-if-match')).toBe(etag);
    expect(refresh.body.length).toBe(0);
    expect(refresh.hasHeader('content-type')).toBe(false);
    expect(refresh.callId).toBe(initial.callId);
    expect(refresh.cseq.seq).toBe(initial.cseq.seq + 1);
    const etag2 = server.accept(100);

    publisher.setStatus('available');
    await settle(clock);
    const modify = server.last.request;
    expect(modify.header('sip-if-match')).toBe(etag2);
    expect(bodyOf(modify).availability).toBe('available');
    const etag3 = server.accept(100);

    const removed = publisher.remove();
    await settle(clock);
    const remove = server.last.request;
    expect(remove.header('expires')).toBe('0');
    expect(remove.header('sip-if-match')).toBe(etag3);
    expect(remove.body.length).toBe(0);
    server.answer(200, [
      ['SIP-ETag', etag3],
      ['Expires', '0'],
    ]);
    await removed;
    expect(publisher.state.name).toBe('removed');
    clock.advance(10_000_000);
    await settle(clock);
    expect(server.sent).toHaveLength(4);
  });

  it('412 on a refresh starts a fresh initial publication with the body', async () => {
    const { clock, server, publisher } = setup();
    publisher.setStatus('busy', 'in a meeting');
    await settle(clock);
    server.accept(100);
    clock.advance(90_000);
    await settle(clock);
    server.answer(412);
    await settle(clock);
    const fresh = server.last.request;
    expect(fresh.hasHeader('sip-if-match')).toBe(false);
    expect(bodyOf(fresh)).toMatchObject({ availability: 'busy', note: { text: 'in a meeting' } });
    server.answer(412);
    expect(publisher.state).toMatchObject({ name: 'failed', status: 412 });
  });

  it('answers 423 with Min-Expires and 401 with credentials', async () => {
    const { clock, server, publisher } = setup();
    publisher.setStatus('available');
    await settle(clock);
    server.answer(423, [['Min-Expires', '7200']]);
    await settle(clock);
    expect(server.last.request.header('expires')).toBe('7200');
    server.answer(401, [['WWW-Authenticate', CHALLENGE]]);
    await settle(clock);
    expect(server.last.request.header('authorization')).toContain('username="bob"');
    expect(server.last.request.body.length).toBeGreaterThan(0);
    server.accept(7200);
    expect(publisher.state.name).toBe('published');
  });

  it('reports 489, 501 and 405 as unsupported, for a peer-to-peer fallback', async () => {
    for (const status of [489, 501, 405]) {
      const { clock, server, publisher } = setup();
      publisher.setStatus('available');
      await settle(clock);
      server.answer(status);
      expect(publisher.state).toMatchObject({ name: 'unsupported', status });
      clock.advance(10_000_000);
      await settle(clock);
      expect(server.sent).toHaveLength(1);
    }
  });

  it('retries a 503 with backoff, and sends a change made during a PUBLISH once it is answered', async () => {
    const { clock, server, publisher } = setup();
    publisher.setStatus('available');
    await settle(clock);
    publisher.setStatus('dnd', 'focus');
    await settle(clock);
    expect(server.sent).toHaveLength(1);
    server.answer(503);
    await settle(clock);
    expect(server.sent).toHaveLength(2);
    expect(bodyOf(server.last.request).availability).toBe('do-not-disturb');
    server.answer(503);
    expect(publisher.state).toMatchObject({ name: 'failed', status: 503 });
    const retryIn = publisher.state.name === 'failed' ? (publisher.state.retryInMs ?? 0) : 0;
    expect(retryIn).toBeGreaterThan(0);
    clock.advance(retryIn);
    await settle(clock);
    expect(server.sent).toHaveLength(3);
  });

  it('sends a change made while a PUBLISH is in flight as a modification with its body, after the 2xx', async () => {
    const { clock, server, publisher } = setup();
    publisher.setStatus('available');
    await settle(clock);
    const etag = server.accept();
    await settle(clock);
    publisher.setStatus('away');
    await settle(clock);
    // The modification to away is in flight when the status changes again (a call starts, say).
    publisher.setStatus('on-the-phone');
    await settle(clock);
    expect(server.sent).toHaveLength(2);
    const etag2 = server.accept();
    await settle(clock);
    expect(server.sent).toHaveLength(3);
    const queued = server.last.request;
    expect(queued.header('sip-if-match')).toBe(etag2);
    expect(queued.body.length).toBeGreaterThan(0);
    expect(bodyOf(queued)).toMatchObject({ onThePhone: true });
    expect(etag2).not.toBe(etag);
  });

  it('a 2xx without SIP-ETag is a server error, retried', async () => {
    const { clock, server, publisher } = setup();
    publisher.setStatus('available');
    await settle(clock);
    server.answer(200, [['Expires', '60']]);
    expect(publisher.state).toMatchObject({ name: 'failed', status: 200 });
    expect(publisher.state.name === 'failed' && publisher.state.retryInMs !== undefined).toBe(true);
  });

  it('appear offline publishes closed', async () => {
    const { clock, server, publisher } = setup();
    publisher.setStatus('offline', 'hidden note');
    await settle(clock);
    expect(bodyOf(server.last.request)).toEqual({
      availability: 'offline',
      activities: [],
      onThePhone: false,
    });
  });
});
