// The fake MessagingEngine itself: sends wait for the test (or settle at once in auto mode), shutdown fails what is in
// flight, incoming messages reach the one handler with defaults filled in, composing reaches every listener until
// it detaches.
import { describe, expect, it } from 'vitest';
import type { SendOutcome } from '../../../main/services/messaging-engine';
import { FakeMessagingEngine, delivered, failed } from '../../support/fake-messaging-engine';

describe('FakeMessagingEngine', () => {
  it('holds each send until the test settles it, oldest first, each once', async () => {
    const engine = new FakeMessagingEngine();
    const outcomes: SendOutcome[] = [];
    void engine.send({ accountId: null, to: 'sip:a@x', body: 'one' }).then((o) => outcomes.push(o));
    void engine.send({ accountId: 'acc', to: 'sip:b@x', body: 'two' }).then((o) => outcomes.push(o));
    expect(engine.pending.map((p) => p.message.body)).toEqual(['one', 'two']);
    engine.settle(failed(), 1);
    engine.settle(delivered(202));
    expect(engine.pending).toEqual([]);
    await Promise.resolve();
    expect(outcomes).toEqual([failed(), delivered(202)]);
    expect(engine.sends.map((s) => s.to)).toEqual(['sip:a@x', 'sip:b@x']);
    expect(() => engine.settle(delivered())).toThrow(/no pending send/);
  });

  it('delivers at once in auto mode, and fails what is in flight on shutdown', async () => {
    const engine = new FakeMessagingEngine({ mode: 'auto' });
    await expect(engine.send({ accountId: null, to: 'sip:a@x', body: 'x' })).resolves.toEqual(delivered());
    engine.mode = 'manual';
    const waiting = engine.send({ accountId: null, to: 'sip:a@x', body: 'y' });
    engine.shutdown();
    await expect(waiting).resolves.toMatchObject({ ok: false, failure: { reason: 'failed' } });
    expect(engine.shutdowns).toBe(1);
    expect(engine.pending).toEqual([]);
  });

  it('hands incoming messages to the handler with defaults, and composing to listeners until detached', () => {
    const engine = new FakeMessagingEngine();
    expect(() => engine.receive()).toThrow(/no incoming handler/);
    const seen: string[] = [];
    engine.setIncomingHandler((message) => {
      seen.push(`${message.from} ${message.body} ${message.dedupeKey}`);
      return { kind: 'stored' };
    });
    expect(engine.hasIncomingHandler).toBe(true);
    expect(engine.receive({ body: 'hi' })).toEqual({ kind: 'stored' });
    engine.receive();
    expect(seen).toEqual(['sip:bob@example.test hi fake-1', 'sip:bob@example.test message 2 fake-2']);
    const states: string[] = [];
    const detach = engine.onComposing((indication) => states.push(indication.state));
    engine.composing({ state: 'active' });
    detach();
    engine.composing({ state: 'idle' });
    expect(states).toEqual(['active']);
    expect(engine.composingListeners).toBe(0);
    engine.setComposing(null, 'sip:a@x', 'active');
    expect(engine.composingSent).toEqual([{ accountId: null, to: 'sip:a@x', state: 'active' }]);
  });
});
