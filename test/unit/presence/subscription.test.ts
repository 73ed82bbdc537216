import { describe, expect, it } from 'vitest';
import {
  type SubscriptionUsage as Usage,
  SubscriptionUsage,
} from '../../../main/presence/subscription-usage';
import type { Notification, Subscription } from '../../../main/presence/subscription';
import { type PresenceEvent, PresenceWatcher } from '../../../main/presence/presence-watcher';
import { type WinfoEvent, WinfoWatcher } from '../../../main/presence/winfo-watcher';
import { type SubscriptionState, afterTermination } from '../../../main/presence/subscription-state';
import { DialogSet } from '../../../main/sip/dialog/dialog-set';
import { createResponse } from '../../../main/sip/message/builders';
import type { SipRequest, SipResponse } from '../../../main/sip/message/message';
import { parseMessage } from '../../../main/sip/message/parse';
import type { Destination } from '../../../main/sip/transport/types';
import { NoNameResolver } from '../../../main/ua/next-hop';
import { RequestFactory } from '../../../main/ua/request-factory';
import type { RequestOutcomeListener, RequestSender } from '../../../main/ua/request-sender';
import { UasCore } from '../../../main/ua/uas-core';
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

/** The notifier's side of the wire: records what we send and lets the test answer it. */
class FakeSender implements RequestSender {
  readonly sent: Sent[] = [];
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

  answer(sent: Sent, status: number, headers: Array<[string, string]> = [], toTag = 'srv'): void {
    sent.listener.onFinal(wire(createResponse(sent.request, status, { toTag, headers })));
  }
}

function setup(options: { maxSubscriptions?: number } = {}) {
  const clock = new ManualClock();
  const random = new SeededRandom(11);
  const core = new UasCore({ newTag: () => random.token(10) });
  const dialogs = new DialogSet();
  core.setDialogLookup(dialogs.hasDialogFor);
  const sender = new FakeSender(clock);
  const usage: Usage = new SubscriptionUsage(
    { core, dialogs, sender, clock, random, resolver: new NoNameResolver() },
    options.maxSubscriptions !== undefined ? { maxSubscriptions: options.maxSubscriptions } : {},
  );
  const requests = new RequestFactory({
    random,
    identity: { aor: sipUri('sip:alice@example.test') },
    contactAddress: () => ({ host: '127.0.0.1', port: 5099 }),
    capabilities: () => ({ allow: core.allow, supported: core.supported }),
  });
  const account = {
    requests,
    password: 'secret',
    outboundProxy: sipUri('sip:127.0.0.1:5060'),
    transport: 'udp' as const,
    backoff: { baseMs: 1_000, maxMs: 8_000 },
  };
  const create = (target = 'sip:bob@example.test', expires = 600): Subscription => {
    const made = usage.create(account, {
      target: sipUri(target),
      event: 'presence',
      accept: ['application/pidf+xml'],
      expires,
    });
    if (!made.ok) throw new Error(made.error.message);
    return made.value;
  };
  return { clock, core, dialogs, sender, usage, create, account };
}

type Harness = ReturnType<typeof setup>;

interface NotifyOptions {
  readonly fromTag?: string;
  readonly cseq?: number;
  readonly state?: string;
  readonly body?: string;
  readonly event?: string;
  readonly contact?: string;
  readonly callId?: string;
  readonly toTag?: string;
}

/** The notifier sends a NOTIFY for `subscribe` (the SUBSCRIBE as it went out); returns our answers. */
function notify(h: Harness, subscribe: SipRequest, options: NotifyOptions = {}): SipResponse[] {
  const body = options.body ?? '';
  const lines = [
    `NOTIFY sip:alice@127.0.0.1:5099 SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKn${Math.floor(h.clock.now())}${options.cseq ?? 1}${options.fromTag ?? 'n1'}`,
    'Max-Forwards: 70',
    `From: <sip:bob@example.test>;tag=${options.fromTag ?? 'n1'}`,
    `To: <sip:alice@example.test>;tag=${options.toTag ?? subscribe.from.tag}`,
    `Call-ID: ${options.callId ?? subscribe.callId}`,
    `CSeq: ${options.cseq ?? 1} NOTIFY`,
    `Contact: <${options.contact ?? 'sip:bob@127.0.0.1:5070'}>`,
    `Event: ${options.event ?? 'presence'}`,
    ...(options.state === '' ? [] : [`Subscription-State: ${options.state ?? 'active;expires=600'}`]),
    ...(body ? ['Content-Type: application/pidf+xml'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  const parsed = parseMessage(`${lines.join('\r\n')}\r\n\r\n${body}`);
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('bad NOTIFY');
  const responses: SipResponse[] = [];
  h.core.receive(parsed.message, { respond: (response) => responses.push(response) });
  return responses;
}

function statusesOf(responses: SipResponse[]): number[] {
  return responses.map((r) => r.status);
}

async function started(h: Harness, subscription: Subscription): Promise<SipRequest> {
  subscription.subscribe();
  await settle(h.clock);
  return h.sender.last.request;
}

function record(subscription: Subscription) {
  const states: SubscriptionState[] = [];
  const notifications: Notification[] = [];
  subscription.onStateChanged((state) => states.push(state));
  subscription.onNotify((notification) => notifications.push(notification));
  return { states, notifications };
}

describe('Subscription (RFC 6665 §4.1)', () => {
  it('sends SUBSCRIBE with Event, Accept, Expires and Contact; 202 then NOTIFY makes it active', async () => {
    const h = setup();
    const subscription = h.create();
    const { states, notifications } = record(subscription);
    const subscribe = await started(h, subscription);
    expect(subscribe.method).toBe('SUBSCRIBE');
    expect(subscribe.requestUriText).toBe('sip:bob@example.test');
    expect(subscribe.header('event')).toBe('presence');
    expect(subscribe.header('accept')).toBe('application/pidf+xml');
    expect(subscribe.header('expires')).toBe('600');
    expect(subscribe.contact[0]?.uri).toMatchObject({ host: '127.0.0.1', port: 5099 });
    expect(h.sender.last.destination).toEqual({ protocol: 'udp', address: '127.0.0.1', port: 5060 });
    h.sender.answer(
      h.sender.last,
      202,
      [
        ['Expires', '600'],
        ['Contact', '<sip:bob@127.0.0.1:5070>'],
      ],
      'n1',
    );
    expect(subscription.state.name).toBe('subscribing');
    const answers = notify(h, subscribe, { body: '<presence/>' });
    expect(statusesOf(answers)).toEqual([200]);
    expect(subscription.state.name).toBe('active');
    expect(subscription.dialogCount).toBe(1);
    expect(new TextDecoder().decode(notifications[0]?.body)).toBe('<presence/>');
    expect(notifications[0]?.state.state).toBe('active');
    expect(states.map((s) => s.name)).toEqual(['subscribing', 'active']);
  });

  it('takes a NOTIFY that arrives before the 2xx: it creates the dialog, and the 2xx adds no second one', async () => {
    const h = setup();
    const subscription = h.create();
    const subscribe = await started(h, subscription);
    expect(statusesOf(notify(h, subscribe, { state: 'pending;expires=600' }))).toEqual([200]);
    expect(subscription.state.name).toBe('pending');
    h.sender.answer(
      h.sender.last,
      202,
      [
        ['Expires', '600'],
        ['Contact', '<sip:bob@127.0.0.1:5070>'],
      ],
      'n1',
    );
    expect(subscription.dialogCount).toBe(1);
    expect(h.dialogs.size).toBe(1);
    // The refresh at 90 % of 600 s goes inside that dialog, to the NOTIFY's Contact, with the next CSeq.
    h.clock.advance(540_000);
    await settle(h.clock);
    const refresh = h.sender.last.request;
    expect(h.sender.sent).toHaveLength(2);
    expect(refresh.requestUriText).toBe('sip:bob@127.0.0.1:5070');
    expect(refresh.to.tag).toBe('n1');
    expect(refresh.from.tag).toBe(subscribe.from.tag);
    expect(refresh.callId).toBe(subscribe.callId);
    expect(refresh.cseq.seq).toBe(subscribe.cseq.seq + 1);
    expect(refresh.header('expires')).toBe('600');
    expect(h.sender.last.at).toBe(540_000);
  });

  it('forked NOTIFYs make separate dialogs; a refresh goes into each; forks past the bound get 481', async () => {
    const h = setup();
    const subscription = h.create();
    const subscribe = await started(h, subscription);
    for (const tag of ['f1', 'f2', 'f3', 'f4'])
      expect(statusesOf(notify(h, subscribe, { fromTag: tag }))).toEqual([200]);
    expect(statusesOf(notify(h, subscribe, { fromTag: 'f5' }))).toEqual([481]);
    expect(subscription.dialogCount).toBe(4);
    h.sender.answer(
      h.sender.last,
      200,
      [
        ['Expires', '100'],
        ['Contact', '<sip:bob@127.0.0.1:5070>'],
      ],
      'f1',
    );
    h.clock.advance(90_000);
    await settle(h.clock);
    const refreshes = h.sender.sent.slice(1).map((s) => s.request.to.tag);
    expect(refreshes.sort()).toEqual(['f1', 'f2', 'f3', 'f4']);
  });

  it('answers 401 with credentials, keeping Call-ID and From tag (one would-be dialog)', async () => {
    const h = setup();
    const subscription = h.create();
    const subscribe = await started(h, subscription);
    h.sender.answer(h.sender.last, 401, [['WWW-Authenticate', CHALLENGE]]);
    const retry = h.sender.last.request;
    expect(h.sender.sent).toHaveLength(2);
    expect(retry.header('authorization')).toContain('username="alice"');
    expect(retry.callId).toBe(subscribe.callId);
    expect(retry.from.tag).toBe(subscribe.from.tag);
    expect(retry.cseq.seq).toBe(subscribe.cseq.seq + 1);
    h.sender.answer(h.sender.last, 401, [['WWW-Authenticate', CHALLENGE]]);
    expect(subscription.state).toMatchObject({ name: 'terminated', reason: 'bad-credentials', status: 401 });
  });

  it('asks again with Min-Expires after 423 (bounded)', async () => {
    const h = setup();
    const subscription = h.create('sip:bob@example.test', 60);
    await started(h, subscription);
    h.sender.answer(h.sender.last, 423, [['Min-Expires', '300']]);
    expect(h.sender.last.request.header('expires')).toBe('300');
  });

  it('489 ends the subscription as bad-event; 404 as rejected; 503 waits and retries with backoff', async () => {
    const h = setup();
    const a = h.create();
    await started(h, a);
    h.sender.answer(h.sender.last, 489);
    expect(a.state).toMatchObject({ name: 'terminated', reason: 'bad-event', status: 489 });
    const b = h.create('sip:nobody@example.test');
    await started(h, b);
    h.sender.answer(h.sender.last, 404);
    expect(b.state).toMatchObject({ name: 'terminated', reason: 'rejected', status: 404 });
    const c = h.create('sip:carol@example.test');
    const first = await started(h, c);
    h.sender.answer(h.sender.last, 503);
    expect(c.state.name).toBe('waiting');
    const retryIn = c.state.name === 'waiting' ? c.state.retryInMs : 0;
    expect(retryIn).toBeGreaterThanOrEqual(500);
    expect(retryIn).toBeLessThanOrEqual(1_000);
    const count = h.sender.sent.length;
    h.clock.advance(retryIn);
    await settle(h.clock);
    expect(h.sender.sent).toHaveLength(count + 1);
    expect(h.sender.last.request.callId).not.toBe(first.callId);
  });

  it("refreshes before a NOTIFY's expires when it is below what the 2xx granted (§4.1.2.2, §4.2.1.4)", async () => {
    const h = setup();
    const subscription = h.create();
    const subscribe = await started(h, subscription);
    const ok = [['Contact', '<sip:bob@127.0.0.1:5070>']] as Array<[string, string]>;
    h.sender.answer(h.sender.last, 202, [['Expires', '600'], ...ok], 'n1');
    notify(h, subscribe, { state: 'active;expires=100' });
    h.clock.advance(89_999);
    await settle(h.clock);
    expect(h.sender.sent).toHaveLength(1);
    h.clock.advance(1);
    await settle(h.clock);
    expect(h.sender.sent).toHaveLength(2);
    expect(h.sender.last.request.to.tag).toBe('n1');
    // A NOTIFY with a longer expires than planned moves nothing back.
    h.sender.answer(h.sender.last, 200, [['Expires', '600'], ...ok], 'n1');
    notify(h, subscribe, { cseq: 2, state: 'active;expires=3600' });
    h.clock.advance(539_999);
    await settle(h.clock);
    expect(h.sender.sent).toHaveLength(2);
    h.clock.advance(1);
    await settle(h.clock);
    expect(h.sender.sent).toHaveLength(3);
  });

  it('a NOTIFY saying a little less than granted (the seconds gone by) leaves the refresh where it was', async () => {
    const h = setup();
    const subscription = h.create();
    const subscribe = await started(h, subscription);
    h.sender.answer(
      h.sender.last,
      202,
      [
        ['Expires', '600'],
        ['Contact', '<sip:bob@127.0.0.1:5070>'],
      ],
      'n1',
    );
    // The notifier counts whole seconds down: 599 right after a 600 is the same subscription, not a shorter one.
    notify(h, subscribe, { state: 'active;expires=599' });
    h.clock.advance(539_999);
    await settle(h.clock);
    expect(h.sender.sent).toHaveLength(1);
    h.clock.advance(1);
    await settle(h.clock);
    expect(h.sender.sent).toHaveLength(2);
  });

  it('a NOTIFY before the 2xx with a shorter expires still sets the first refresh', async () => {
    const h = setup();
    const subscription = h.create();
    const subscribe = await started(h, subscription);
    notify(h, subscribe, { state: 'active;expires=60' });
    h.sender.answer(
      h.sender.last,
      202,
      [
        ['Expires', '600'],
        ['Contact', '<sip:bob@127.0.0.1:5070>'],
      ],
      'n1',
    );
    h.clock.advance(53_999);
    await settle(h.clock);
    expect(h.sender.sent).toHaveLength(1);
    h.clock.advance(1);
    await settle(h.clock);
    expect(h.sender.sent).toHaveLength(2);
    expect(h.sender.last.request.header('expires')).toBe('600');
  });

  it('honours Subscription-State terminated reasons (§4.1.3)', async () => {
    const h = setup();
    // timeout: a fresh subscription at once (new Call-ID, new From tag).
    const a = h.create();
    const first = await started(h, a);
    notify(h, first);
    notify(h, first, { cseq: 2, state: 'terminated;reason=timeout' });
    await settle(h.clock);
    expect(h.sender.last.request.callId).not.toBe(first.callId);
    expect(a.state.name).toBe('subscribing');
    // probation with retry-after: nothing until it has passed.
    const b = h.create('sip:b@example.test');
    const second = await started(h, b);
    notify(h, second);
    const before = h.sender.sent.length;
    notify(h, second, { cseq: 2, state: 'terminated;reason=probation;retry-after=30' });
    expect(b.state).toMatchObject({ name: 'waiting', retryInMs: 30_000 });
    h.clock.advance(29_999);
    await settle(h.clock);
    expect(h.sender.sent).toHaveLength(before);
    h.clock.advance(1);
    await settle(h.clock);
    expect(h.sender.sent).toHaveLength(before + 1);
    // rejected: stop for good; the dialog is gone, so a later NOTIFY in it gets 481.
    const c = h.create('sip:c@example.test');
    const third = await started(h, c);
    notify(h, third);
    const count = h.sender.sent.length;
    notify(h, third, { cseq: 2, state: 'terminated;reason=rejected' });
    await settle(h.clock);
    expect(c.state).toMatchObject({ name: 'terminated', reason: 'rejected' });
    expect(h.sender.sent).toHaveLength(count);
    expect(statusesOf(notify(h, third, { cseq: 3 }))).toEqual([481]);
  });

  it('slows down a notifier that terminates every subscription at once', async () => {
    const h = setup();
    const subscription = h.create();
    let subscribe = await started(h, subscription);
    for (let round = 0; round < 3; round++) {
      notify(h, subscribe, { state: 'terminated;reason=deactivated' });
      await settle(h.clock);
      subscribe = h.sender.last.request;
    }
    expect(h.sender.sent).toHaveLength(4);
    notify(h, subscribe, { state: 'terminated;reason=deactivated' });
    await settle(h.clock);
    expect(h.sender.sent).toHaveLength(4);
    expect(subscription.state.name).toBe('waiting');
  });

  it('Timer N: a 2xx with no NOTIFY within 64*T1 is dropped and subscribed afresh (§4.1.2.4)', async () => {
    const h = setup();
    const silent = h.create();
    const first = await started(h, silent);
    h.sender.answer(
      h.sender.last,
      202,
      [
        ['Expires', '600'],
        ['Contact', '<sip:bob@127.0.0.1:5070>'],
      ],
      'n1',
    );
    h.clock.advance(31_999);
    await settle(h.clock);
    expect(silent.state.name).toBe('subscribing');
    h.clock.advance(1);
    expect(silent.state).toMatchObject({ name: 'waiting', detail: 'no NOTIFY followed the 2xx (Timer N)' });
    expect(h.dialogs.size).toBe(0);
    h.clock.advance(1_000);
    await settle(h.clock);
    expect(h.sender.last.request.callId).not.toBe(first.callId);
    // A NOTIFY in time stops Timer N.
    const h2 = setup();
    const heard = h2.create();
    const subscribe = await started(h2, heard);
    h2.sender.answer(
      h2.sender.last,
      202,
      [
        ['Expires', '600'],
        ['Contact', '<sip:bob@127.0.0.1:5070>'],
      ],
      'n1',
    );
    notify(h2, subscribe);
    h2.clock.advance(100_000);
    await settle(h2.clock);
    expect(heard.state.name).toBe('active');
    expect(h2.sender.sent).toHaveLength(1);
  });

  it('a dialog whose target cannot be reached is dropped at refresh time, never left waiting', async () => {
    const h = setup();
    const subscription = h.create('sip:bob@example.test', 100);
    const subscribe = await started(h, subscription);
    // A notifier that names itself by a host name we cannot resolve (no resolver here).
    notify(h, subscribe, { contact: 'sip:presence@presence.example.test' });
    h.sender.answer(h.sender.last, 200, [['Expires', '100']], 'n1');
    h.clock.advance(90_000);
    await settle(h.clock);
    const fresh = h.sender.last.request;
    expect(h.sender.sent).toHaveLength(2);
    expect(fresh.to.tag).toBeUndefined();
    expect(fresh.callId).not.toBe(subscribe.callId);
    expect(subscription.state.name).toBe('subscribing');
  });

  it('a refresh answered 481 starts a fresh subscription', async () => {
    const h = setup();
    const subscription = h.create('sip:bob@example.test', 100);
    const subscribe = await started(h, subscription);
    notify(h, subscribe);
    h.sender.answer(
      h.sender.last,
      200,
      [
        ['Expires', '100'],
        ['Contact', '<sip:bob@127.0.0.1:5070>'],
      ],
      'n1',
    );
    h.clock.advance(90_000);
    await settle(h.clock);
    h.sender.answer(h.sender.last, 481, [], 'n1');
    await settle(h.clock);
    const fresh = h.sender.last.request;
    expect(fresh.to.tag).toBeUndefined();
    expect(fresh.callId).not.toBe(subscribe.callId);
  });

  it('answers 481 to a NOTIFY that matches no subscription, and 400 without Subscription-State', async () => {
    const h = setup();
    const subscription = h.create();
    const subscribe = await started(h, subscription);
    expect(statusesOf(notify(h, subscribe, { callId: 'stale-call' }))).toEqual([481]);
    expect(statusesOf(notify(h, subscribe, { toTag: 'not-ours' }))).toEqual([481]);
    expect(statusesOf(notify(h, subscribe, { state: '' }))).toEqual([400]);
    expect(statusesOf(notify(h, subscribe, { event: 'dialog' }))).toEqual([489]);
  });

  it('unsubscribes with Expires: 0 in the dialog; a NOTIFY after that is stale (481)', async () => {
    const h = setup();
    const subscription = h.create();
    const subscribe = await started(h, subscription);
    notify(h, subscribe);
    h.sender.answer(
      h.sender.last,
      200,
      [
        ['Expires', '600'],
        ['Contact', '<sip:bob@127.0.0.1:5070>'],
      ],
      'n1',
    );
    const done = subscription.unsubscribe();
    await settle(h.clock);
    const unsubscribe = h.sender.last.request;
    expect(unsubscribe.header('expires')).toBe('0');
    expect(unsubscribe.to.tag).toBe('n1');
    expect(subscription.state.name).toBe('unsubscribing');
    h.sender.answer(h.sender.last, 200, [], 'n1');
    await done;
    expect(subscription.state).toMatchObject({ name: 'terminated', reason: 'unsubscribed' });
    expect(h.dialogs.size).toBe(0);
    expect(statusesOf(notify(h, subscribe, { cseq: 2, state: 'terminated' }))).toEqual([481]);
  });

  it('unsubscribing never hangs on a silent notifier', async () => {
    const h = setup();
    const subscription = h.create();
    const subscribe = await started(h, subscription);
    notify(h, subscribe);
    const done = subscription.unsubscribe(4_000);
    await settle(h.clock);
    h.clock.advance(4_000);
    await done;
    expect(subscription.state).toMatchObject({ name: 'terminated', reason: 'unsubscribed' });
  });

  it('resubscribes every live subscription afresh (server restart, re-registration) and removes them all', async () => {
    const h = setup();
    const a = h.create('sip:a@example.test');
    const b = h.create('sip:b@example.test');
    const first = [await started(h, a), await started(h, b)];
    for (const subscribe of first) notify(h, subscribe);
    h.usage.resubscribeAll();
    await settle(h.clock);
    const fresh = h.sender.sent.slice(2).map((s) => s.request);
    expect(fresh.map((r) => r.callId).sort()).not.toEqual(first.map((r) => r.callId).sort());
    expect(fresh.every((r) => r.to.tag === undefined)).toBe(true);
    for (const subscribe of fresh) notify(h, subscribe);
    const removed = h.usage.removeAll(1_000);
    await settle(h.clock);
    h.clock.advance(1_000);
    await removed;
    expect(h.usage.size).toBe(0);
    expect(h.dialogs.size).toBe(0);
    expect(h.sender.sent.slice(4).map((s) => s.request.header('expires'))).toEqual(['0', '0']);
  });

  it('bounds the number of subscriptions', () => {
    const h = setup({ maxSubscriptions: 2 });
    h.create('sip:a@example.test');
    h.create('sip:b@example.test');
    const third = h.usage.create(
      {
        requests: new RequestFactory({
          random: new SeededRandom(1),
          identity: { aor: sipUri('sip:x@y') },
          contactAddress: () => ({ host: '127.0.0.1', port: 1 }),
          capabilities: () => ({ allow: [], supported: [] }),
        }),
        password: '',
        transport: 'udp',
      },
      { target: sipUri('sip:c@example.test'), event: 'presence', accept: [], expires: 600 },
    );
    expect(third.ok || third.error.code).toBe('limit');
    expect(h.usage.size).toBe(2);
  });
});

describe('afterTermination (RFC 6665 §4.1.3)', () => {
  it('maps each reason to what the subscriber does', () => {
    expect(afterTermination('deactivated', 30)).toEqual({ kind: 'resubscribe-now' });
    expect(afterTermination('timeout', undefined)).toEqual({ kind: 'resubscribe-now' });
    expect(afterTermination('probation', 30)).toEqual({ kind: 'resubscribe-after', seconds: 30 });
    expect(afterTermination('giveup', undefined)).toEqual({ kind: 'resubscribe-after', seconds: 60 });
    expect(afterTermination('rejected', 10)).toEqual({ kind: 'stop', reason: 'rejected' });
    expect(afterTermination('noresource', undefined)).toEqual({ kind: 'stop', reason: 'noresource' });
    expect(afterTermination('invariant', undefined)).toEqual({ kind: 'stop', reason: 'invariant' });
    expect(afterTermination(undefined, undefined)).toEqual({ kind: 'resubscribe-now' });
    expect(afterTermination('whatever', 20)).toEqual({ kind: 'resubscribe-after', seconds: 20 });
    expect(afterTermination('probation', 10 ** 9)).toEqual({ kind: 'resubscribe-after', seconds: 86_400 });
  });
});

describe('PresenceWatcher and WinfoWatcher', () => {
  const PIDF_NS =
    'xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" ' +
    'xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid"';
  const pidf = (basic: string, activity = ''): string =>
    `<?xml version="1.0"?><presence ${PIDF_NS} entity="sip:bob@example.test"><tuple id="t"><status><basic>${basic}` +
    `</basic></status></tuple><dm:person id="p">${activity}</dm:person></presence>`;

  it('turns each NOTIFY into one merged status; an unreadable body is reported and the last status kept', async () => {
    const h = setup();
    const made = PresenceWatcher.create(h.usage, h.account, sipUri('sip:bob@example.test'));
    if (!made.ok) throw new Error(made.error.message);
    const watcher = made.value;
    const events: PresenceEvent[] = [];
    watcher.on((event) => events.push(event));
    watcher.start();
    await settle(h.clock);
    const subscribe = h.sender.last.request;
    expect(subscribe.header('event')).toBe('presence');
    expect(subscribe.header('accept')).toBe('application/pidf+xml');
    notify(h, subscribe, { body: pidf('open', '<rpid:activities><rpid:away/></rpid:activities>') });
    notify(h, subscribe, { cseq: 2, body: '<!DOCTYPE x [<!ENTITY a "a">]><x>&a;</x>' });
    notify(h, subscribe, { cseq: 3, body: '' });
    const kinds = events.map((e) => (e.kind === 'subscription' ? `state:${e.state.name}` : e.kind));
    expect(kinds).toEqual(['state:subscribing', 'state:active', 'presence', 'unreadable']);
    expect(watcher.presence?.availability).toBe('away');
    const unreadable = events.find((e) => e.kind === 'unreadable');
    expect(unreadable?.kind === 'unreadable' && unreadable.error.code).toBe('doctype');
  });

  it('keeps the watcher list from full and partial documents, and resubscribes on a version gap', async () => {
    const h = setup();
    const made = WinfoWatcher.create(h.usage, h.account, sipUri('sip:alice@example.test'));
    if (!made.ok) throw new Error(made.error.message);
    const winfo = made.value;
    const events: WinfoEvent[] = [];
    winfo.on((event) => events.push(event));
    winfo.start();
    await settle(h.clock);
    const subscribe = h.sender.last.request;
    expect(subscribe.header('event')).toBe('presence.winfo');
    const doc = (version: number, state: string, watchers: string): string =>
      `<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="${version}" state="${state}">` +
      `<watcher-list resource="sip:alice@example.test" package="presence">${watchers}</watcher-list></watcherinfo>`;
    const w = (id: string, status: string, uri: string): string =>
      `<watcher id="${id}" event="subscribe" status="${status}">${uri}</watcher>`;
    notify(h, subscribe, {
      event: 'presence.winfo',
      body: doc(0, 'full', w('1', 'active', 'sip:bob@example.test')),
    });
    notify(h, subscribe, {
      event: 'presence.winfo',
      cseq: 2,
      body: doc(1, 'partial', w('2', 'pending', 'sip:carol@example.test')),
    });
    expect(winfo.watchers.map((x) => x.uri)).toEqual(['sip:bob@example.test', 'sip:carol@example.test']);
    const last = events.at(-1);
    expect(last?.kind === 'watchers' && last.added.map((x) => x.uri)).toEqual(['sip:carol@example.test']);
    notify(h, subscribe, {
      event: 'presence.winfo',
      cseq: 3,
      body: doc(1, 'partial', w('1', 'terminated', 'sip:bob@example.test')),
    });
    await settle(h.clock);
    // The repeated version 1 is a gap: a fresh subscription (new Call-ID) asks for a full document, and the old
    // dialog is gone.
    expect(statusesOf(notify(h, subscribe, { event: 'presence.winfo', cseq: 4 }))).toEqual([481]);
    expect(h.sender.last.request.callId).not.toBe(subscribe.callId);
  });
});
