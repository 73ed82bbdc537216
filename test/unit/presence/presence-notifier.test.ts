import { describe, expect, it } from 'vitest';
import type { OwnPresence } from '../../../main/presence/pidf-builder';
import { parsePidf } from '../../../main/presence/pidf';
import { mergePresence } from '../../../main/presence/presence-merge';
import { type PresenceSource, PresenceNotifier } from '../../../main/presence/presence-notifier';
import { DialogSet } from '../../../main/sip/dialog/dialog-set';
import type { SipResponse } from '../../../main/sip/message/message';
import { parseMessage } from '../../../main/sip/message/parse';
import { NoNameResolver } from '../../../main/ua/next-hop';
import { RequestFactory } from '../../../main/ua/request-factory';
import { UasCore } from '../../../main/ua/uas-core';
import { ManualClock } from '../../support/manual-clock';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';
import { RecordingSender, sipUri } from '../../support/subscriber-harness';

class FakeSource implements PresenceSource {
  current: OwnPresence | undefined;
  readonly #listeners = new Set<(presence: OwnPresence) => void>();
  set(status: OwnPresence['status'], note?: string): void {
    this.current = {
      entity: 'sip:bob@example.test',
      status,
      ...(note ? { note } : {}),
      timestamp: 0,
      tupleId: 't1',
      personId: 'p1',
    };
    for (const listener of this.#listeners) listener(this.current);
  }
  onPresence(listener: (presence: OwnPresence) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

function setup(options: { maxWatchers?: number } = {}) {
  const clock = new ManualClock();
  const random = new SeededRandom(3);
  const core = new UasCore({ newTag: () => random.token(10) });
  const sender = new RecordingSender();
  const host = { core, dialogs: new DialogSet(), sender, clock, random, resolver: new NoNameResolver() };
  const requests = new RequestFactory({
    random,
    identity: { aor: sipUri('sip:bob@example.test') },
    contactAddress: () => ({ host: '127.0.0.1', port: 5070 }),
    capabilities: () => ({ allow: core.allow, supported: core.supported }),
  });
  const source = new FakeSource();
  source.set('away', 'out for lunch');
  const notifier = new PresenceNotifier(host, { requests, password: '', transport: 'udp' }, source, options);
  notifier.start();
  let branch = 0;
  /** A SUBSCRIBE from a watcher; returns our responses. */
  const subscribe = (
    spec: {
      callId?: string;
      fromTag?: string;
      toTag?: string;
      cseq?: number;
      expires?: number | null;
      event?: string;
      accept?: string;
      user?: string;
    } = {},
  ): SipResponse[] => {
    const lines = [
      `SUBSCRIBE sip:${spec.user ?? 'bob'}@127.0.0.1:5070 SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKw${branch++}`,
      'Max-Forwards: 70',
      `From: <sip:alice@example.test>;tag=${spec.fromTag ?? 'w1'}`,
      `To: <sip:bob@example.test>${spec.toTag ? `;tag=${spec.toTag}` : ''}`,
      `Call-ID: ${spec.callId ?? 'call-1'}`,
      `CSeq: ${spec.cseq ?? 1} SUBSCRIBE`,
      'Contact: <sip:alice@127.0.0.1:5099>',
      `Event: ${spec.event ?? 'presence'}`,
      ...(spec.accept !== undefined ? [`Accept: ${spec.accept}`] : []),
      ...(spec.expires === null ? [] : [`Expires: ${spec.expires ?? 600}`]),
      'Content-Length: 0',
    ];
    const parsed = parseMessage(`${lines.join('\r\n')}\r\n\r\n`);
    if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('bad SUBSCRIBE');
    const responses: SipResponse[] = [];
    core.receive(parsed.message, { respond: (response) => responses.push(response) });
    return responses;
  };
  const notifies = () => sender.sent.filter((s) => s.request.method === 'NOTIFY');
  return { clock, core, sender, notifier, source, subscribe, notifies };
}

const stateOf = (sent: { request: { header(name: string): string | undefined } }) =>
  sent.request.header('subscription-state');

describe('PresenceNotifier (peer-to-peer presence, RFC 3856 §6, RFC 6665 §4.2)', () => {
  it('answers a SUBSCRIBE with 200, Expires and Contact, and sends our PIDF at once in the new dialog', async () => {
    const h = setup();
    const [ok] = h.subscribe();
    expect(ok?.status).toBe(200);
    expect(ok?.header('expires')).toBe('600');
    expect(ok?.header('contact')).toContain('sip:bob@127.0.0.1:5070');
    const toTag = ok!.to.tag!;
    expect(toTag).toBeTruthy();
    await settle(h.clock);
    const [notify] = h.notifies();
    expect(notify!.request.requestUriText).toBe('sip:alice@127.0.0.1:5099');
    expect(notify!.request.from.tag).toBe(toTag);
    expect(notify!.request.to.tag).toBe('w1');
    expect(notify!.request.callId).toBe('call-1');
    expect(notify!.request.header('event')).toBe('presence');
    expect(stateOf(notify!)).toBe('active;expires=600');
    expect(notify!.request.header('content-type')).toBe('application/pidf+xml');
    const document = parsePidf(notify!.request.body);
    if (!document.ok) throw new Error(document.error.message);
    expect(mergePresence(document.value)).toMatchObject({
      availability: 'away',
      note: { text: 'out for lunch' },
    });
    expect(h.notifier.watchers).toEqual([{ uri: 'sip:alice@example.test', expiresInMs: 600_000 }]);
  });

  it('notifies every status change, one NOTIFY in flight per dialog and the newest state after it', async () => {
    const h = setup();
    h.subscribe();
    await settle(h.clock);
    h.source.set('busy');
    h.source.set('dnd');
    await settle(h.clock);
    // The first NOTIFY is still unanswered: nothing more goes out yet.
    expect(h.notifies()).toHaveLength(1);
    h.sender.answer(h.notifies()[0]!, 200, [], 'w1');
    await settle(h.clock);
    expect(h.notifies()).toHaveLength(2);
    const latest = parsePidf(h.notifies()[1]!.request.body);
    expect(latest.ok && mergePresence(latest.value).availability).toBe('do-not-disturb');
    expect(h.notifies()[1]!.request.cseq.seq).toBe(h.notifies()[0]!.request.cseq.seq + 1);
  });

  it('a refresh restarts the timer and notifies; Expires: 0 ends with a terminated NOTIFY', async () => {
    const h = setup();
    const toTag = h.subscribe()[0]!.to.tag!;
    await settle(h.clock);
    h.sender.answer(h.notifies()[0]!, 200, [], 'w1');
    h.clock.advance(500_000);
    const refresh = h.subscribe({ toTag, cseq: 2, expires: 600 });
    expect(refresh.map((r) => [r.status, r.header('expires')])).toEqual([[200, '600']]);
    await settle(h.clock);
    expect(stateOf(h.notifies()[1]!)).toBe('active;expires=600');
    h.sender.answer(h.notifies()[1]!, 200, [], 'w1');
    // The old expiry (600 s after the first SUBSCRIBE) has no effect any more.
    h.clock.advance(200_000);
    await settle(h.clock);
    expect(h.notifies()).toHaveLength(2);
    expect(h.subscribe({ toTag, cseq: 3, expires: 0 }).map((r) => r.status)).toEqual([200]);
    await settle(h.clock);
    expect(stateOf(h.notifies()[2]!)).toBe('terminated;reason=timeout');
    h.sender.answer(h.notifies()[2]!, 200, [], 'w1');
    expect(h.notifier.watchers).toEqual([]);
    // The dialog is gone: a further refresh is for a subscription that does not exist.
    expect(h.subscribe({ toTag, cseq: 4 }).map((r) => r.status)).toEqual([481]);
  });

  it('ends a subscription that is not refreshed in time, with reason=timeout', async () => {
    const h = setup();
    h.subscribe({ expires: 120 });
    await settle(h.clock);
    h.sender.answer(h.notifies()[0]!, 200, [], 'w1');
    h.clock.advance(119_999);
    await settle(h.clock);
    expect(h.notifies()).toHaveLength(1);
    h.clock.advance(1);
    await settle(h.clock);
    expect(stateOf(h.notifies()[1]!)).toBe('terminated;reason=timeout');
    expect(h.notifier.watchers).toEqual([]);
  });

  it('drops a watcher whose NOTIFY fails (481, 408): no more NOTIFYs to it (§4.2.2)', async () => {
    const h = setup();
    const lists: string[][] = [];
    h.notifier.onWatchers((watchers) => lists.push(watchers.map((w) => w.uri)));
    h.subscribe();
    h.subscribe({ callId: 'call-2', fromTag: 'w2' });
    await settle(h.clock);
    const [first, second] = h.notifies();
    h.sender.answer(first!, 481, [], 'w1');
    h.sender.answer(second!, 408, [], 'w2');
    expect(h.notifier.watchers).toEqual([]);
    // Each change is heard once: two came, two went.
    expect(lists).toEqual([
      ['sip:alice@example.test'],
      ['sip:alice@example.test', 'sip:alice@example.test'],
      ['sip:alice@example.test'],
      [],
    ]);
    h.source.set('available');
    await settle(h.clock);
    expect(h.notifies()).toHaveLength(2);
  });

  it('refuses: 481 for an unknown dialog, 406 without PIDF in Accept, 423 below Min-Expires, 503 when full, 404 for another user, 489 for another package', async () => {
    const h = setup({ maxWatchers: 2 });
    expect(h.subscribe({ toTag: 'nope', cseq: 2 })[0]?.status).toBe(481);
    const refused = h.subscribe({ accept: 'application/xpidf+xml' })[0]!;
    expect([refused.status, refused.header('accept')]).toEqual([406, 'application/pidf+xml']);
    expect(h.subscribe({ accept: 'application/pidf+xml;q=0.5, text/plain' })[0]?.status).toBe(200);
    const brief = h.subscribe({ callId: 'c2', expires: 10 })[0]!;
    expect([brief.status, brief.header('min-expires')]).toEqual([423, '60']);
    expect(h.subscribe({ callId: 'c3', fromTag: 'x3' })[0]?.status).toBe(200);
    const full = h.subscribe({ callId: 'c4', fromTag: 'x4' })[0]!;
    expect([full.status, full.header('retry-after')]).toEqual([503, '300']);
    expect(h.subscribe({ callId: 'c5', user: 'carol' })[0]?.status).toBe(404);
    const other = h.subscribe({ callId: 'c6', event: 'dialog' })[0]!;
    expect([other.status, other.header('allow-events')]).toEqual([489, 'presence']);
    expect(h.notifier.watchers).toHaveLength(2);
  });

  it('keeps the Event id of the SUBSCRIBE in its NOTIFYs, and a refresh with another id is for no subscription', async () => {
    const h = setup();
    const toTag = h.subscribe({ event: 'presence;id=7' })[0]!.to.tag!;
    await settle(h.clock);
    expect(h.notifies()[0]!.request.header('event')).toBe('presence;id=7');
    expect(h.subscribe({ toTag, cseq: 2, event: 'presence;id=8' })[0]?.status).toBe(481);
    expect(h.subscribe({ toTag, cseq: 3, event: 'presence' })[0]?.status).toBe(481);
    h.sender.answer(h.notifies()[0]!, 200, [], 'w1');
    expect(h.subscribe({ toTag, cseq: 4, event: 'presence;id=7' })[0]?.status).toBe(200);
  });

  it('refuses an old CSeq in the dialog with 500 (RFC 3261 §12.2.2), keeping the subscription', async () => {
    const h = setup();
    const toTag = h.subscribe({ cseq: 5 })[0]!.to.tag!;
    await settle(h.clock);
    const [old] = h.subscribe({ toTag, cseq: 4 });
    expect(old?.status).toBe(500);
    expect(h.notifier.watchers).toHaveLength(1);
  });

  it('drops a watcher whose NOTIFY cannot even be sent (a Contact that is no SIP URI)', async () => {
    const h = setup();
    const parsed = parseMessage(
      [
        'SUBSCRIBE sip:bob@127.0.0.1:5070 SIP/2.0',
        'Via: SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bKtel',
        'Max-Forwards: 70',
        'From: <sip:alice@example.test>;tag=t1',
        'To: <sip:bob@example.test>',
        'Call-ID: tel-contact',
        'CSeq: 1 SUBSCRIBE',
        'Contact: <tel:+15551234567>',
        'Event: presence',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('bad SUBSCRIBE');
    const statuses: number[] = [];
    h.core.receive(parsed.message, { respond: (response) => statuses.push(response.status) });
    await settle(h.clock);
    expect(statuses).toEqual([200]);
    expect(h.notifies()).toEqual([]);
    expect(h.notifier.watchers).toEqual([]);
  });

  it('caps a long Expires at an hour and takes a SUBSCRIBE without Expires as an hour (RFC 3856 §6.4)', () => {
    const h = setup();
    expect(h.subscribe({ expires: 86_400 })[0]?.header('expires')).toBe('3600');
    expect(h.subscribe({ callId: 'c2', expires: null })[0]?.header('expires')).toBe('3600');
  });

  it('a fetch (Expires: 0) gets the state once in a terminated NOTIFY', async () => {
    const h = setup();
    let heard = 0;
    h.notifier.onWatchers(() => heard++);
    expect(h.subscribe({ expires: 0 }).map((r) => [r.status, r.header('expires')])).toEqual([[200, '0']]);
    await settle(h.clock);
    expect(stateOf(h.notifies()[0]!)).toBe('terminated;reason=timeout');
    expect(parsePidf(h.notifies()[0]!.request.body).ok).toBe(true);
    h.sender.answer(h.notifies()[0]!, 200, [], 'w1');
    // Nobody came to stay: the watcher list never changed.
    expect(heard).toBe(0);
  });

  it('stop() tells every watcher deactivated with an offline document, then answers SUBSCRIBE with 489', async () => {
    const h = setup();
    h.subscribe();
    await settle(h.clock);
    h.sender.answer(h.notifies()[0]!, 200, [], 'w1');
    const stopped = h.notifier.stop();
    await settle(h.clock);
    const last = h.notifies()[1]!;
    expect(stateOf(last)).toBe('terminated;reason=deactivated');
    const document = parsePidf(last.request.body);
    expect(document.ok && mergePresence(document.value).availability).toBe('offline');
    h.sender.answer(last, 200, [], 'w1');
    await stopped;
    expect(h.subscribe({ callId: 'again' })[0]?.status).toBe(489);
  });

  it('stop() never hangs on a watcher that does not answer', async () => {
    const h = setup();
    h.subscribe();
    await settle(h.clock);
    h.sender.answer(h.notifies()[0]!, 200, [], 'w1');
    let done = false;
    void h.notifier.stop(1_000).then(() => (done = true));
    h.clock.advance(1_000);
    await settle(h.clock);
    expect(done).toBe(true);
  });
});
