import { describe, expect, it } from 'vitest';
import { type ResourceListEvent, ResourceListWatcher } from '../../../main/presence/resource-list-watcher';
import { listBody, pidfOf } from '../../support/list-bodies';
import { settle } from '../../support/settle';
import { sipUri, subscriberHarness } from '../../support/subscriber-harness';

async function watching() {
  const h = subscriberHarness();
  const made = ResourceListWatcher.create(h.usage, h.account, sipUri('sip:friends@example.test'));
  if (!made.ok) throw new Error(made.error.message);
  const watcher = made.value;
  const events: ResourceListEvent[] = [];
  watcher.on((event) => events.push(event));
  watcher.start();
  await settle(h.clock);
  const subscribe = h.sender.last.request;
  h.sender.answer(h.sender.last, 200, [
    ['Expires', '600'],
    ['Contact', '<sip:list@127.0.0.1:5070>'],
    ['Require', 'eventlist'],
  ]);
  return { h, watcher, events, subscribe };
}

const statuses = (events: ResourceListEvent[]) =>
  events.flatMap((e) =>
    e.kind === 'presence'
      ? [`${e.uri} ${e.presence.availability}`]
      : e.kind === 'subscription' && e.uri !== 'sip:friends@example.test'
        ? [`${e.uri} ${e.state.name}${e.state.name === 'terminated' ? `:${e.state.reason}` : ''}`]
        : [],
  );

const THREE = [
  { uri: 'sip:bob@example.test', name: 'Bob Smith', pidf: pidfOf('sip:bob@example.test', 'open') },
  { uri: 'sip:carol@example.test', pidf: pidfOf('sip:carol@example.test', 'open', 'away', 'lunch') },
  { uri: 'sip:dave@example.test', pidf: pidfOf('sip:dave@example.test', 'closed') },
];

describe('ResourceListWatcher (RFC 4662)', () => {
  it('subscribes with Supported: eventlist and Accept of multipart/related, RLMI and PIDF; refreshes the same way', async () => {
    const { h, subscribe } = await watching();
    expect(subscribe.header('event')).toBe('presence');
    expect(subscribe.header('accept')).toBe('multipart/related, application/rlmi+xml, application/pidf+xml');
    expect(subscribe.supported.filter((tag) => tag === 'eventlist')).toEqual(['eventlist']);
    h.clock.advance(540_000);
    await settle(h.clock);
    expect(h.sender.last.request.supported).toContain('eventlist');
  });

  it('turns a full-state NOTIFY of three buddies into three statuses, each as a single watcher gives it', async () => {
    const { h, events, subscribe, watcher } = await watching();
    const list = listBody({ version: 0, fullState: true, resources: THREE });
    // RFC 4662 §4.1: a list server's NOTIFYs require eventlist, which we implement (not 420).
    expect(
      h.notify(subscribe, {
        body: list.body,
        contentType: list.contentType,
        headers: ['Require: eventlist'],
      }),
    ).toEqual([200]);
    expect(statuses(events)).toEqual([
      'sip:bob@example.test available',
      'sip:carol@example.test away',
      'sip:dave@example.test offline',
    ]);
    const carol = events.find((e) => e.kind === 'presence' && e.uri === 'sip:carol@example.test');
    expect(carol).toMatchObject({
      presence: { note: { text: 'lunch' } },
      document: { entity: 'sip:carol@example.test' },
    });
    expect(events.find((e) => e.kind === 'list')).toMatchObject({
      version: 0,
      fullState: true,
      name: 'Friends',
      resources: ['sip:bob@example.test', 'sip:carol@example.test', 'sip:dave@example.test'],
    });
    expect(watcher.version).toBe(0);
    expect(watcher.nameOf('sip:bob@example.test')).toBe('Bob Smith');
    expect(watcher.nameOf('sip:carol@example.test')).toBeUndefined();
  });

  it('applies partial state in version order; skips old versions; a gap resubscribes for full state', async () => {
    const { h, events, subscribe, watcher } = await watching();
    const full = listBody({ version: 0, fullState: true, resources: THREE });
    h.notify(subscribe, { body: full.body, contentType: full.contentType });
    events.length = 0;
    const change = listBody({
      version: 1,
      fullState: false,
      resources: [{ uri: 'sip:dave@example.test', pidf: pidfOf('sip:dave@example.test', 'open', 'busy') }],
    });
    h.notify(subscribe, { cseq: 2, body: change.body, contentType: change.contentType });
    expect(statuses(events)).toEqual(['sip:dave@example.test busy']);
    expect(watcher.resources).toHaveLength(3);
    // The same version again is old news.
    events.length = 0;
    h.notify(subscribe, { cseq: 3, body: change.body, contentType: change.contentType });
    expect(events).toEqual([]);
    // Version 3 after 1: version 2 was lost. The partial one is skipped and a fresh subscription asks for all.
    const sent = h.sender.sent.length;
    const gap = listBody({
      version: 3,
      fullState: false,
      resources: [{ uri: 'sip:bob@example.test', pidf: pidfOf('sip:bob@example.test', 'closed') }],
    });
    h.notify(subscribe, { cseq: 4, body: gap.body, contentType: gap.contentType });
    await settle(h.clock);
    expect(statuses(events)).toEqual([]);
    expect(events.find((e) => e.kind === 'resync')).toEqual({
      kind: 'resync',
      uri: 'sip:friends@example.test',
      expected: 2,
      received: 3,
    });
    expect(h.sender.sent).toHaveLength(sent + 1);
    const fresh = h.sender.last.request;
    expect(fresh.callId).not.toBe(subscribe.callId);
    // The new subscription's versions start over.
    h.sender.answer(
      h.sender.last,
      200,
      [
        ['Expires', '600'],
        ['Contact', '<sip:list@127.0.0.1:5070>'],
      ],
      'n2',
    );
    events.length = 0;
    h.notify(fresh, { fromTag: 'n2', body: full.body, contentType: full.contentType });
    expect(statuses(events)).toHaveLength(3);
  });

  it('a full state that no longer names a resource ends it; pending and terminated instances say so', async () => {
    const { h, events, subscribe } = await watching();
    const first = listBody({ version: 0, fullState: true, resources: THREE });
    h.notify(subscribe, { body: first.body, contentType: first.contentType });
    events.length = 0;
    const second = listBody({
      version: 1,
      fullState: true,
      resources: [
        { uri: 'sip:bob@example.test', state: 'pending' },
        { uri: 'sip:carol@example.test', state: 'terminated', reason: 'rejected' },
        { uri: 'sip:erin@example.test', state: 'terminated', reason: 'probation' },
      ],
    });
    h.notify(subscribe, { cseq: 2, body: second.body, contentType: second.contentType });
    expect(statuses(events)).toEqual([
      'sip:dave@example.test terminated:noresource',
      'sip:bob@example.test pending',
      'sip:carol@example.test terminated:rejected',
      'sip:erin@example.test pending',
    ]);
  });

  it('merges several active instances of one resource; reports an unreadable part and a broken list', async () => {
    const { h, events, subscribe } = await watching();
    const rlmi =
      '<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:friends@example.test" version="0" fullState="true">' +
      '<resource uri="sip:bob@example.test"><instance id="a" state="active" cid="a@x"/><instance id="b" state="active" cid="b@x"/></resource>' +
      '<resource uri="sip:carol@example.test"><instance id="c" state="active" cid="c@x"/></resource></list>';
    const part = (id: string, type: string, body: string) =>
      `--z\r\nContent-ID: <${id}>\r\nContent-Type: ${type}\r\n\r\n${body}\r\n`;
    const body =
      part('root@x', 'application/rlmi+xml', rlmi) +
      part('a@x', 'application/pidf+xml', pidfOf('sip:bob@example.test', 'closed')) +
      part('b@x', 'application/pidf+xml', pidfOf('sip:bob@example.test', 'open', 'busy')) +
      part('c@x', 'application/pidf+xml', '<!DOCTYPE x [<!ENTITY a "b">]><presence/>') +
      '--z--\r\n';
    h.notify(subscribe, { body, contentType: 'multipart/related;type="application/rlmi+xml";boundary=z' });
    expect(statuses(events)).toEqual(['sip:bob@example.test busy']);
    expect(events.find((e) => e.kind === 'unreadable')).toMatchObject({
      uri: 'sip:carol@example.test',
      error: { code: 'doctype' },
    });
    const bob = events.find((e) => e.kind === 'presence');
    expect(bob?.kind === 'presence' && bob.document.tuples).toHaveLength(2);
    events.length = 0;
    expect(
      h.notify(subscribe, { cseq: 2, body: '--z\r\n', contentType: 'multipart/related;boundary=z' }),
    ).toEqual([200]);
    expect(events).toMatchObject([{ kind: 'list-unreadable', error: { code: 'malformed' } }]);
  });

  it('a server that is no list server sends a plain PIDF: it is the status of the URI subscribed', async () => {
    const { h, events, subscribe } = await watching();
    h.notify(subscribe, { body: pidfOf('sip:friends@example.test', 'open', 'away') });
    expect(statuses(events)).toEqual(['sip:friends@example.test away']);
  });

  it('reports the resources of a nested list (RFC 4662 §5.4) as its own', async () => {
    const { h, events, subscribe } = await watching();
    const inner = listBody({
      uri: 'sip:team@example.test',
      version: 0,
      fullState: true,
      boundary: 'inner-b',
      resources: [{ uri: 'sip:frank@example.test', pidf: pidfOf('sip:frank@example.test', 'open') }],
    });
    const rlmi =
      '<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:friends@example.test" version="0" fullState="true">' +
      '<resource uri="sip:team@example.test"><instance id="t" state="active" cid="team@x"/></resource></list>';
    const body =
      `--outer\r\nContent-ID: <root@x>\r\nContent-Type: application/rlmi+xml\r\n\r\n${rlmi}\r\n` +
      `--outer\r\nContent-ID: <team@x>\r\nContent-Type: ${inner.contentType}\r\n\r\n${inner.body}\r\n--outer--\r\n`;
    h.notify(subscribe, {
      body,
      contentType: 'multipart/related;type="application/rlmi+xml";boundary=outer',
    });
    expect(statuses(events)).toEqual(['sip:frank@example.test available']);
  });
});
