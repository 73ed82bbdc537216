import { describe, expect, it } from 'vitest';
import { createResponse } from '../../../../main/sip/message/builders';
import type { SipRequest, SipResponse } from '../../../../main/sip/message/message';
import { parseMessage } from '../../../../main/sip/message/parse';
import { serializeMessage } from '../../../../main/sip/message/serialize';
import { type SipUri, parseUri } from '../../../../main/sip/message/uri';
import type { Destination } from '../../../../main/sip/transport/types';
import {
  type FlowWatch,
  type RegistrationState,
  Registerer,
} from '../../../../main/ua/registration/registerer';
import { RequestFactory } from '../../../../main/ua/request-factory';
import type { RequestOutcomeListener, RequestSender } from '../../../../main/ua/request-sender';
import { ManualClock } from '../../../support/manual-clock';
import { SeededRandom } from '../../../support/seeded-random';

const DESTINATION: Destination = { protocol: 'udp', address: '127.0.0.1', port: 5070 };
const CHALLENGE = 'Digest realm="example.test", nonce="abc123", qop="auth", algorithm=MD5';

function sipUri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok || (parsed.value.scheme !== 'sip' && parsed.value.scheme !== 'sips')) throw new Error(text);
  return parsed.value as SipUri;
}

interface Sent {
  request: SipRequest;
  listener: RequestOutcomeListener;
  at: number;
}

/** A registrar script: each sent request waits for the test to answer it. */
class FakeSender implements RequestSender {
  readonly sent: Sent[] = [];
  constructor(private readonly clock: ManualClock) {}

  sendRequest(request: SipRequest, _destination: Destination, listener: RequestOutcomeListener): void {
    // The transaction layer adds the top Via; then a round trip through the wire format, as the transport would.
    request.prependHeader('Via', `SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK${this.sent.length}`);
    const wire = parseMessage(serializeMessage(request));
    if (!wire.ok) throw new Error(wire.error.reason);
    this.sent.push({ request: wire.message as SipRequest, listener, at: this.clock.now() });
  }

  get last(): Sent {
    const last = this.sent.at(-1);
    if (!last) throw new Error('nothing sent');
    return last;
  }

  answer(status: number, headers: Array<[string, string]> = []): SipResponse {
    const { request, listener } = this.last;
    const response = createResponse(request, status, { toTag: 'registrar', headers });
    const wire = parseMessage(serializeMessage(response));
    if (!wire.ok) throw new Error(wire.error.reason);
    listener.onFinal(wire.message as SipResponse);
    return wire.message as SipResponse;
  }

  /** 200 OK echoing the Contact with the granted expires. */
  accept(expires: number): void {
    const contact = this.last.request.header('contact')!;
    this.answer(200, [['Contact', `${contact};expires=${expires}`]]);
  }
}

interface SetupOptions {
  password?: string;
  expires?: number;
  watchFlow?: FlowWatch;
}

function setup(overrides: SetupOptions = {}) {
  const clock = new ManualClock();
  const random = new SeededRandom(7);
  const sender = new FakeSender(clock);
  const states: RegistrationState[] = [];
  const requests = new RequestFactory({
    random,
    identity: { aor: sipUri('sip:alice@example.test') },
    contactAddress: () => ({ host: '127.0.0.1', port: 5099 }),
    capabilities: () => ({ allow: ['INVITE', 'ACK', 'CANCEL', 'OPTIONS'], supported: [] }),
  });
  const registerer = new Registerer(
    { password: overrides.password ?? 'secret', expires: overrides.expires ?? 600 },
    {
      clock,
      random,
      sender,
      requests,
      resolveDestination: () => Promise.resolve(DESTINATION),
      backoff: { baseMs: 1_000, maxMs: 8_000 },
      ...(overrides.watchFlow ? { watchFlow: overrides.watchFlow } : {}),
    },
  );
  registerer.onStateChanged((state) => states.push(state));
  return { clock, sender, registerer, states };
}

/** Lets the registerer's resolve-then-send promise chain run. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('Registerer', () => {
  it('answers a 401 with digest credentials, then reports the granted lifetime', async () => {
    const { sender, registerer, states } = setup();
    registerer.register();
    await flush();
    expect(sender.sent).toHaveLength(1);
    const first = sender.last.request;
    expect(first.method).toBe('REGISTER');
    expect(first.requestUriText).toBe('sip:example.test');
    expect(first.expires).toBe(600);
    expect(first.authorization).toHaveLength(0);
    sender.answer(401, [['WWW-Authenticate', CHALLENGE]]);
    expect(sender.sent).toHaveLength(2);
    const second = sender.last.request;
    expect(second.callId).toBe(first.callId);
    expect(second.cseq.seq).toBe(first.cseq.seq + 1);
    expect(second.authorization[0]).toMatch(/^Digest username="alice", realm="example.test", nonce="abc123"/);
    sender.accept(300);
    expect(registerer.state).toMatchObject({ name: 'registered', expires: 300 });
    expect(states.map((s) => s.name)).toEqual(['registering', 'registered']);
  });

  it('refreshes before expiry with the same Call-ID, a higher CSeq and pre-emptive credentials', async () => {
    const { clock, sender, registerer } = setup();
    registerer.register();
    await flush();
    sender.answer(401, [['WWW-Authenticate', CHALLENGE]]);
    sender.accept(100);
    const registeredAt = clock.now();
    clock.advance(89_999);
    await flush();
    expect(sender.sent).toHaveLength(2);
    clock.advance(1);
    await flush();
    expect(sender.sent).toHaveLength(3);
    const refresh = sender.last;
    expect(refresh.at - registeredAt).toBe(90_000);
    expect(refresh.request.callId).toBe(sender.sent[0]!.request.callId);
    expect(refresh.request.cseq.seq).toBe(sender.sent[1]!.request.cseq.seq + 1);
    expect(refresh.request.authorization[0]).toContain('nc=00000002');
    sender.accept(100);
    expect(registerer.state.name).toBe('registered');
  });

  it('uses the Expires header when the 200 carries no expires on our Contact', async () => {
    const { sender, registerer } = setup();
    registerer.register();
    await flush();
    sender.answer(200, [
      ['Expires', '120'],
      ['Contact', sender.last.request.header('contact')!],
    ]);
    expect(registerer.state).toMatchObject({ name: 'registered', expires: 120 });
  });

  it('retries a 423 with the registrar’s Min-Expires', async () => {
    const { sender, registerer } = setup({ expires: 30 });
    registerer.register();
    await flush();
    sender.answer(423, [['Min-Expires', '120']]);
    expect(sender.sent).toHaveLength(2);
    expect(sender.last.request.expires).toBe(120);
    sender.accept(120);
    expect(registerer.state).toMatchObject({ name: 'registered', expires: 120 });
  });

  it('gives up on a 423 loop instead of retrying forever', async () => {
    const { sender, registerer } = setup({ expires: 30 });
    registerer.register();
    await flush();
    sender.answer(423, [['Min-Expires', '60']]);
    sender.answer(423, [['Min-Expires', '90']]);
    sender.answer(423, [['Min-Expires', '120']]);
    expect(sender.sent).toHaveLength(3);
    expect(registerer.state).toMatchObject({ name: 'failed', reason: 'interval-too-brief', status: 423 });
  });

  it('ends a wrong password with a clear failure after exactly one retry, and never retries by itself', async () => {
    const { clock, sender, registerer } = setup({ password: 'wrong' });
    registerer.register();
    await flush();
    sender.answer(401, [['WWW-Authenticate', CHALLENGE]]);
    sender.answer(401, [['WWW-Authenticate', 'Digest realm="example.test", nonce="def456", qop="auth"']]);
    expect(sender.sent).toHaveLength(2);
    expect(registerer.state).toMatchObject({ name: 'failed', reason: 'bad-credentials', status: 401 });
    expect(registerer.state).not.toHaveProperty('retryInMs');
    clock.advance(3_600_000);
    await flush();
    expect(sender.sent).toHaveLength(2);
  });

  it('retries a stale nonce without counting it as a wrong password', async () => {
    const { sender, registerer } = setup();
    registerer.register();
    await flush();
    sender.answer(401, [['WWW-Authenticate', CHALLENGE]]);
    sender.answer(401, [
      ['WWW-Authenticate', 'Digest realm="example.test", nonce="fresh", qop="auth", stale=true'],
    ]);
    expect(sender.sent).toHaveLength(3);
    expect(sender.last.request.authorization[0]).toContain('nonce="fresh"');
    sender.accept(600);
    expect(registerer.state.name).toBe('registered');
  });

  it('recovers from a timeout with capped exponential backoff', async () => {
    const { clock, sender, registerer, states } = setup();
    registerer.register();
    await flush();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      sender.answer(408);
      const state = registerer.state;
      expect(state).toMatchObject({ name: 'failed', reason: 'timeout' });
      if (state.name !== 'failed' || state.retryInMs === undefined) throw new Error('no retry scheduled');
      delays.push(state.retryInMs);
      clock.advance(state.retryInMs);
      await flush();
    }
    expect(sender.sent).toHaveLength(6);
    // base 1 s doubling, capped at 8 s, each scaled by a factor in [0.5, 1].
    const ceilings = [1_000, 2_000, 4_000, 8_000, 8_000];
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(ceilings[i]! / 2);
      expect(delay).toBeLessThanOrEqual(ceilings[i]!);
    });
    sender.accept(600);
    expect(registerer.state.name).toBe('registered');
    expect(states.filter((s) => s.name === 'failed')).toHaveLength(5);
  });

  it('does not retry a 404 (unknown user) or a 403', async () => {
    for (const status of [403, 404]) {
      const { clock, sender, registerer } = setup();
      registerer.register();
      await flush();
      sender.answer(status);
      expect(registerer.state).toMatchObject({ name: 'failed', status });
      clock.advance(600_000);
      await flush();
      expect(sender.sent).toHaveLength(1);
    }
  });

  it('treats a transport failure (503 from the transaction layer) as unreachable and retries', async () => {
    const { sender, registerer } = setup();
    registerer.register();
    await flush();
    sender.answer(503);
    expect(registerer.state).toMatchObject({ name: 'failed', reason: 'unreachable' });
    expect(registerer.state).toHaveProperty('retryInMs');
  });

  it('unregisters with Expires: 0 and resolves on the answer', async () => {
    const { sender, registerer, states } = setup();
    registerer.register();
    await flush();
    sender.accept(600);
    const done = registerer.unregister();
    expect(sender.last.request.expires).toBe(0);
    expect(sender.last.request.header('contact')).toContain('sip:alice@127.0.0.1:5099');
    sender.answer(200);
    await done;
    expect(states.map((s) => s.name)).toEqual(['registering', 'registered', 'unregistering', 'unregistered']);
  });

  it('answers a challenge to the un-REGISTER too', async () => {
    const { sender, registerer } = setup();
    registerer.register();
    await flush();
    sender.answer(401, [['WWW-Authenticate', CHALLENGE]]);
    sender.accept(600);
    const done = registerer.unregister();
    sender.answer(401, [['WWW-Authenticate', 'Digest realm="example.test", nonce="n2", qop="auth"']]);
    expect(sender.last.request.authorization[0]).toContain('nonce="n2"');
    sender.answer(200);
    await done;
    expect(registerer.state.name).toBe('unregistered');
  });

  it('bounds the wait for an unreachable registrar when unregistering', async () => {
    const { clock, registerer, sender } = setup();
    registerer.register();
    await flush();
    sender.accept(600);
    let finished = false;
    const done = registerer.unregister(2_000).then(() => (finished = true));
    clock.advance(1_999);
    await flush();
    expect(finished).toBe(false);
    clock.advance(1);
    await done;
    expect(registerer.state.name).toBe('unregistered');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('registers again at once when the flow to the registrar fails', async () => {
    const { sender, registerer } = setup();
    registerer.register();
    await flush();
    sender.accept(600);
    registerer.flowFailed();
    await flush();
    expect(sender.sent).toHaveLength(2);
    expect(sender.last.request.method).toBe('REGISTER');
  });

  it('ignores a late answer to an exchange it abandoned', async () => {
    const { sender, registerer } = setup();
    registerer.register();
    await flush();
    const stale = sender.last;
    registerer.register();
    await flush();
    const staleResponse = createResponse(stale.request, 403, { toTag: 'x' });
    stale.listener.onFinal(staleResponse);
    expect(registerer.state.name).toBe('registering');
  });

  it('answers a 407 from a proxy with Proxy-Authorization', async () => {
    const { sender, registerer } = setup();
    registerer.register();
    await flush();
    sender.answer(407, [['Proxy-Authenticate', 'Digest realm="proxy.test", nonce="p1", qop="auth"']]);
    expect(sender.last.request.proxyAuthorization[0]).toMatch(/^Digest username="alice", realm="proxy.test"/);
    expect(sender.last.request.authorization).toHaveLength(0);
    sender.accept(600);
    expect(registerer.state.name).toBe('registered');
  });

  it('picks the strongest of several challenges (RFC 8760 §2.4)', async () => {
    const { sender, registerer } = setup();
    registerer.register();
    await flush();
    sender.answer(401, [
      ['WWW-Authenticate', 'Digest realm="example.test", nonce="m", qop="auth", algorithm=MD5'],
      ['WWW-Authenticate', 'Digest realm="example.test", nonce="s", qop="auth", algorithm=SHA-256'],
    ]);
    expect(sender.last.request.authorization[0]).toContain('algorithm=SHA-256');
    expect(sender.last.request.authorization[0]).toContain('nonce="s"');
  });

  it('turns a 200 with a malformed Contact into a failure with a retry, never a stuck "registering"', async () => {
    const { clock, sender, registerer } = setup();
    registerer.register();
    await flush();
    sender.answer(200, [['Contact', '<sip:x@>;expires=60']]);
    const state = registerer.state;
    expect(state).toMatchObject({ name: 'failed', reason: 'server-error', status: 200 });
    if (state.name !== 'failed') throw new Error('not failed');
    expect(state.detail).toMatch(/^200 OK from 127\.0\.0\.1:5070 has a malformed Contact/);
    clock.advance(state.retryInMs!);
    await flush();
    expect(sender.sent).toHaveLength(2);
    sender.accept(600);
    expect(registerer.state.name).toBe('registered');
  });

  it('guards the Expires header of a 200 as well (a response our own code built, read lazily)', async () => {
    const { sender, registerer } = setup();
    registerer.register();
    await flush();
    const { request, listener } = sender.last;
    listener.onFinal(createResponse(request, 200, { toTag: 'r', headers: [['Expires', 'soon']] }));
    expect(registerer.state).toMatchObject({ name: 'failed', reason: 'server-error', status: 200 });
    expect(registerer.state).toHaveProperty('retryInMs');
  });

  it('ends an un-REGISTER whose answer cannot be read, instead of waiting for the guard timer', async () => {
    const { sender, registerer } = setup();
    registerer.register();
    await flush();
    sender.accept(600);
    const done = registerer.unregister(60_000);
    sender.answer(200, [['Contact', '<sip:x@>']]);
    await done;
    expect(registerer.state.name).toBe('unregistered');
  });

  it('shows the failure a retry follows, and forgets it once registered or on a fresh register()', async () => {
    const { clock, sender, registerer, states } = setup();
    registerer.register();
    await flush();
    expect(registerer.state).toEqual({ name: 'registering', attempt: 1 });
    sender.answer(503);
    const failed = registerer.state;
    if (failed.name !== 'failed') throw new Error('not failed');
    clock.advance(failed.retryInMs!);
    await flush();
    expect(registerer.state).toEqual({
      name: 'registering',
      attempt: 2,
      previous: { reason: 'unreachable', status: 503, detail: '503 Service Unavailable from 127.0.0.1:5070' },
    });
    sender.answer(500);
    const again = registerer.state;
    if (again.name !== 'failed') throw new Error('not failed');
    clock.advance(again.retryInMs!);
    await flush();
    expect(registerer.state).toMatchObject({ name: 'registering', attempt: 3, previous: { status: 500 } });
    sender.accept(600);
    expect(registerer.state).toEqual({
      name: 'registered',
      expires: 600,
      contact: 'sip:alice@127.0.0.1:5099',
    });
    // A later refresh failure starts a new story; the earlier failures are not shown with it.
    clock.advance(540_000);
    await flush();
    sender.answer(408);
    const late = registerer.state;
    if (late.name !== 'failed') throw new Error('not failed');
    clock.advance(late.retryInMs!);
    await flush();
    expect(registerer.state).toMatchObject({
      name: 'registering',
      previous: { reason: 'timeout', status: 408 },
    });
    registerer.register();
    await flush();
    expect(registerer.state).toEqual({ name: 'registering', attempt: 1 });
    expect(states.filter((s) => s.name === 'registering' && s.previous === undefined)).toHaveLength(2);
  });

  it('watches the flow while registered and registers again at once when the flow reports a failure', async () => {
    const watched: Array<{ destination: Destination; onFailed: (detail: string) => void; stopped: boolean }> =
      [];
    const watchFlow: FlowWatch = (destination, onFailed) => {
      const entry = { destination, onFailed, stopped: false };
      watched.push(entry);
      return () => {
        entry.stopped = true;
      };
    };
    const { clock, sender, registerer } = setup({ watchFlow });
    registerer.register();
    await flush();
    expect(watched).toHaveLength(0);
    sender.accept(600);
    expect(watched).toHaveLength(1);
    expect(watched[0]!.destination).toEqual(DESTINATION);
    // A refresh over the same flow keeps watching it; it does not watch twice.
    clock.advance(540_000);
    await flush();
    sender.accept(600);
    expect(watched).toHaveLength(1);
    watched[0]!.onFailed('keep-alive could not be sent');
    await flush();
    expect(sender.sent).toHaveLength(3);
    expect(sender.last.request.method).toBe('REGISTER');
    // A failure stops watching until the registration succeeds again.
    sender.answer(503);
    const failed = registerer.state;
    if (failed.name !== 'failed') throw new Error('not failed');
    clock.advance(failed.retryInMs!);
    await flush();
    expect(watched).toHaveLength(1);
    sender.accept(600);
    expect(watched).toHaveLength(2);
    const done = registerer.unregister();
    expect(watched[1]!.stopped).toBe(true);
    sender.answer(200);
    await done;
  });
});
