// Instant messages through the real engine (createEngine, two data folders, commands through the router) and the
// project's Kamailio with msilo: what alice sends reaches bob's store and window events with its text intact and is
// marked delivered at alice's; typing shows both ways; messages to bob while his account is off are kept by the
// server, delivered when he registers, in order, once each, with the time they were written; and search finds them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AccountDto,
  ComposingDto,
  ConversationDto,
  MessageDto,
  MessagePage,
} from '../../main/contract/contract';
import {
  type RecordedEvent,
  type RecordingEngine,
  aliceAccount,
  createAccount,
  nextEvent,
  resultValue,
  startRecordingEngine,
} from './support/engine-harness';
import { type KamailioHandle, peersAvailable, startKamailio } from './support/kamailio';

const peers = peersAvailable();
const TEXT = 'Grüße 👋🏽 — שלום — مرحبا <b>&amp;</b>';

const messageWhere =
  (accept: (message: MessageDto) => boolean) =>
  (event: RecordedEvent): MessageDto | undefined =>
    event.name === 'message.changed' && accept(event.payload) ? event.payload : undefined;

describe.skipIf(!peers.kamailio)('messages between two engines through Kamailio', () => {
  let kamailio: KamailioHandle;
  let parentDir: string;
  let alice: RecordingEngine;
  let bob: RecordingEngine;
  let aliceAccountDto: AccountDto;
  let bobAccountDto: AccountDto;

  beforeAll(async () => {
    kamailio = await startKamailio({
      users: [
        { username: 'alice', password: 'alice-pw' },
        { username: 'bob', password: 'bob-pw' },
      ],
      offlineMessages: true,
    });
    parentDir = mkdtempSync(join(tmpdir(), 'softphone-messages-engines-'));
    alice = await startRecordingEngine(parentDir, 'alice');
    bob = await startRecordingEngine(parentDir, 'bob');
    aliceAccountDto = await createAccount(alice, aliceAccount(kamailio));
    bobAccountDto = await createAccount(bob, {
      ...aliceAccount(kamailio),
      displayName: 'Bob',
      aor: kamailio.uri('bob'),
      password: 'bob-pw',
    });
  });

  afterAll(async () => {
    await alice?.engine.shutdown(2_000);
    await bob?.engine.shutdown(2_000);
    await kamailio?.stop();
    rmSync(parentDir, { recursive: true, force: true });
  });

  it('carries text both ways, marks it delivered, and shows typing', async () => {
    const sent = resultValue<MessageDto>(
      await alice.engine.router.dispatch('messages.send', [
        { accountId: aliceAccountDto.id, to: kamailio.uri('bob'), body: TEXT },
      ]),
    );
    expect(sent).toMatchObject({ direction: 'outgoing', delivery: 'sending', body: TEXT });
    await nextEvent(
      alice.events,
      messageWhere((m) => m.id === sent.id && m.delivery === 'delivered'),
    );
    const received = await nextEvent(
      bob.events,
      messageWhere((m) => m.direction === 'incoming' && m.body === TEXT),
    );
    expect(received.delivery).toBe('received');
    const [conversation] = resultValue<ConversationDto[]>(
      await bob.engine.router.dispatch('messages.conversations', []),
    );
    expect(conversation).toMatchObject({
      accountId: bobAccountDto.id,
      peerUri: expect.stringContaining('alice@'),
      unread: 1,
      lastMessage: { body: TEXT },
    });

    // bob types back: alice's window hears it for the conversation she started, then his text ends it.
    resultValue(
      await bob.engine.router.dispatch('messages.setComposing', [
        { accountId: bobAccountDto.id, to: kamailio.uri('alice'), state: 'active' },
      ]),
    );
    const typing = await nextEvent(alice.events, (event) =>
      event.name === 'message.composing' && event.payload.state === 'active' ? event.payload : undefined,
    );
    expect(typing).toMatchObject<Partial<ComposingDto>>({ conversationId: sent.conversationId });
    alice.events.splice(0);
    resultValue(
      await bob.engine.router.dispatch('messages.send', [
        { accountId: bobAccountDto.id, to: kamailio.uri('alice'), body: 'Right back at you' },
      ]),
    );
    await nextEvent(
      alice.events,
      messageWhere((m) => m.body === 'Right back at you'),
    );
    await nextEvent(alice.events, (event) =>
      event.name === 'message.composing' && event.payload.state === 'idle' ? true : undefined,
    );
  });

  it('keeps messages for bob while his account is off and delivers them in order when he registers', async () => {
    resultValue(await bob.engine.router.dispatch('accounts.setEnabled', [bobAccountDto.id, false]));
    await nextEvent(bob.events, (event) =>
      event.name === 'registration.changed' &&
      event.payload.accountId === bobAccountDto.id &&
      event.payload.state === 'disabled'
        ? true
        : undefined,
    );
    bob.events.splice(0);
    const bodies = ['first while away', 'second while away', 'third while away'];
    const before = Date.now();
    for (const body of bodies) {
      const sent = resultValue<MessageDto>(
        await alice.engine.router.dispatch('messages.send', [
          { accountId: aliceAccountDto.id, to: kamailio.uri('bob'), body },
        ]),
      );
      // 202 from msilo: delivered to the server, which is all RFC 3428 lets a sender know.
      await nextEvent(
        alice.events,
        messageWhere((m) => m.id === sent.id && m.delivery === 'delivered'),
      );
    }
    expect(await kamailio.storedMessages()).toHaveLength(3);

    resultValue(await bob.engine.router.dispatch('accounts.setEnabled', [bobAccountDto.id, true]));
    const arrived = () =>
      bob.events.flatMap((event) =>
        event.name === 'message.changed' && bodies.includes(event.payload.body) ? [event.payload] : [],
      );
    await nextEvent(bob.events, () => (arrived().length >= 3 ? true : undefined));
    // Give a duplicate delivery the chance to show before counting.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(arrived().map((message) => message.body)).toEqual(bodies);
    for (const message of arrived()) {
      // msilo's Date is when it stored the message (whole seconds), before bob came back.
      expect(message.sentAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(message.sentAt).toBeLessThanOrEqual(message.deliveredAt ?? Number.POSITIVE_INFINITY);
    }
    const page = resultValue<MessagePage>(
      await bob.engine.router.dispatch('messages.list', [
        { conversationId: arrived()[0]!.conversationId, limit: 50, before: null },
      ]),
    );
    expect(page.messages.filter((message) => bodies.includes(message.body))).toHaveLength(3);
    // msilo forgets each once our 200 for it is in.
    await expect.poll(() => kamailio.storedMessages(), { timeout: 5_000 }).toHaveLength(0);
  });

  it('finds a message by the start of a word, accents aside, and by a word in Hebrew', async () => {
    const hits = resultValue<{ message: MessageDto }[]>(
      await bob.engine.router.dispatch('messages.search', [{ text: 'gru', limit: 10 }]),
    );
    expect(hits.map((hit) => hit.message.body)).toEqual([TEXT]);
    const hebrew = resultValue<{ message: MessageDto }[]>(
      await bob.engine.router.dispatch('messages.search', [{ text: 'שלום', limit: 10 }]),
    );
    expect(hebrew.map((hit) => hit.message.body)).toEqual([TEXT]);
    expect(hits.map((hit) => hit.message.body)).toEqual([TEXT]);
  });
});
