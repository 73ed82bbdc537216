// Messages through the whole engine: the messages.* commands reach the MessageService (validated by the contract's
// schemas first), the engine's messaging seam is wired to it, shutdown stops it before the store closes, and a
// message left sending by an engine that stopped mid-send is failed by the next one on the same folder.
import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationDto, MessageDto, Result } from '../../../main/contract/contract';
import { FakeMessagingEngine, delivered } from '../../support/fake-messaging-engine';
import { type Harness, removeDataDirs, startHarness } from './engine-harness';

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.stop();
  removeDataDirs();
});

function valueOf<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.error)}`);
  return result.value as T;
}

async function start(messaging?: FakeMessagingEngine, dataDir?: string) {
  const h = await startHarness({
    ...(messaging ? { engine: { messaging } } : {}),
    ...(dataDir ? { dataDir } : {}),
  });
  harnesses.push(h);
  return h;
}

describe('messages through the engine', () => {
  it('sends, lists, pages, searches, marks read and deletes through the router', async () => {
    const messaging = new FakeMessagingEngine();
    const h = await start(messaging);
    const router = h.engine.router;
    const sent = valueOf<MessageDto>(
      await router.dispatch('messages.send', [
        { accountId: null, to: ' sip:bob@example.test ', body: 'Lunch?' },
      ]),
    );
    expect(messaging.sends).toEqual([{ accountId: null, to: 'sip:bob@example.test', body: 'Lunch?' }]);
    messaging.settle(delivered());
    await h.run();
    expect(messaging.receive({ body: 'Yes, lunch at one', receivedAt: h.clock.wallTime() + 1 })).toEqual({
      kind: 'stored',
    });
    const conversations = valueOf<ConversationDto[]>(await router.dispatch('messages.conversations', []));
    expect(conversations).toMatchObject([
      { id: sent.conversationId, unread: 1, lastMessage: { body: 'Yes, lunch at one' } },
    ]);
    expect(
      valueOf<{ messages: MessageDto[] }>(
        await router.dispatch('messages.list', [
          { conversationId: sent.conversationId, limit: 10, before: null },
        ]),
      ).messages.map((m) => [m.body, m.delivery]),
    ).toEqual([
      ['Yes, lunch at one', 'received'],
      ['Lunch?', 'delivered'],
    ]);
    expect(await router.dispatch('messages.search', [{ text: 'lunc', limit: 5 }])).toMatchObject({
      ok: true,
      value: [{ message: {} }, { message: {} }],
    });
    expect(await router.dispatch('messages.markRead', [sent.conversationId])).toEqual({
      ok: true,
      value: null,
    });
    expect(await router.dispatch('messages.deleteConversation', [sent.conversationId])).toEqual({
      ok: true,
      value: null,
    });
    expect(await router.dispatch('messages.conversations', [])).toEqual({ ok: true, value: [] });
    expect(
      h.events
        .map((e) => e.name)
        .filter((name) => name.startsWith('message') || name.startsWith('conversation')),
    ).toEqual([
      'message.changed',
      'conversation.changed',
      'message.changed',
      'conversation.changed',
      'message.changed',
      'conversation.changed',
      'conversation.changed',
      'conversation.removed',
    ]);
  });

  it('answers the contract’s errors: bad arguments, unknown ids, a message that did not fail', async () => {
    const h = await start(new FakeMessagingEngine());
    const router = h.engine.router;
    expect(await router.dispatch('messages.send', [{ accountId: null, to: 'bob', body: 'x' }])).toMatchObject(
      {
        ok: false,
        error: { code: 'invalid-argument', field: 'to' },
      },
    );
    expect(
      await router.dispatch('messages.send', [{ accountId: null, to: 'sip:b@x', body: '  ' }]),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
    expect(await router.dispatch('messages.retry', ['m1'])).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await router.dispatch('messages.markRead', ['v1'])).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    const sent = valueOf<MessageDto>(
      await router.dispatch('messages.send', [{ accountId: null, to: 'sip:b@x', body: 'x' }]),
    );
    expect(await router.dispatch('messages.retry', [sent.id])).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
  });

  it('fails a direct message to a host it cannot reach as unreachable, through the engine’s own MESSAGE usage', async () => {
    const h = await start();
    const sent = valueOf<MessageDto>(
      await h.engine.router.dispatch('messages.send', [{ accountId: null, to: 'sip:b@x', body: 'x' }]),
    );
    await h.run();
    expect(h.events.at(-2)).toMatchObject({
      name: 'message.changed',
      payload: { id: sent.id, delivery: 'failed', failure: { reason: 'unreachable' } },
    });
  });

  it('shuts the messaging engine down with the engine, and the next engine fails what was left sending', async () => {
    const messaging = new FakeMessagingEngine();
    const h = await start(messaging);
    const sent = valueOf<MessageDto>(
      await h.engine.router.dispatch('messages.send', [{ accountId: null, to: 'sip:b@x', body: 'x' }]),
    );
    // This engine fails nothing on shutdown, as one whose process is killed would not.
    messaging.shutdown = () => {
      messaging.shutdowns++;
    };
    harnesses.splice(harnesses.indexOf(h), 1);
    await h.stop();
    expect(messaging.shutdowns).toBe(1);
    const next = await start(new FakeMessagingEngine(), h.dataDir);
    const page = valueOf<{ messages: MessageDto[] }>(
      await next.engine.router.dispatch('messages.list', [
        { conversationId: sent.conversationId, limit: 5, before: null },
      ]),
    );
    expect(page.messages).toMatchObject([
      { id: sent.id, delivery: 'failed', failure: { reason: 'failed', detail: 'engine stopped' } },
    ]);
  });
});
