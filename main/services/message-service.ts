// Instant messages for the command router, over the MessagesRepository and the MessagingEngine seam. It checks what
// the schemas cannot (an address that parses by the SIP grammar, an account that exists and is enabled, the text's
// size as UTF-8), stores before it tells anyone, and turns what the engine reports into the contract's events:
//
//   send      store as `sending` → message.changed + conversation.changed → answer → engine.send → store the outcome
//             (`delivered` or `failed` with its reason) → message.changed + conversation.changed
//   incoming  the engine's synchronous handler: store (one copy per dedupe key) → events → verdict `stored`, so the
//             engine's 200 goes out only for a message that is on disk; a store that refuses (a full disk) answers
//             `failed`, and the sender (or msilo) tries again later
//   composing engine.onComposing → message.composing, for a conversation that exists; an indication from a peer we
//             have no conversation with is dropped, as nothing in the window could show it and a stranger's typing
//             must not open conversations (only a message does)
//
// A message left `sending` when the engine stopped (quit, crash, kill -9) is marked failed ("engine stopped") at the
// next start, so the window offers a retry rather than a message sending for ever.
import { createHash } from 'node:crypto';
import type {
  ComposingRequest,
  ConversationDto,
  MessageDto,
  MessageFailureDto,
  MessagePage,
  MessagePageRequest,
  MessageSearchHitDto,
  MessageSearchRequest,
  SendMessageRequest,
} from '../contract/contract';
import {
  CONTACT_NAME_MAX,
  MESSAGE_BODY_MAX_BYTES,
  MESSAGE_FAILURE_REASONS,
  SIP_URI_MAX,
} from '../contract/limits';
import { peerKey, peerKeyOf, withoutPassword } from '../messaging/peer-key';
import type { Clock, TimerHandle } from '../platform/clock';
import type { Logger } from '../platform/logger';
import { isSipUri, parseUri } from '../sip/message/uri';
import type { AccountsRepository } from '../store/accounts-repository';
import type { MessageWrite, MessagesRepository } from '../store/messages-repository';
import { StoreFailure } from '../store/store-error';
import type { EventHub } from './event-hub';
import type {
  ComposingIndication,
  IncomingMessage,
  IncomingVerdict,
  MessagingEngine,
  OutgoingMessage,
  SendOutcome,
} from './messaging-engine';
import { ServiceError } from './service-error';

/** What the service needs of the store. */
export type MessageStore = Pick<
  MessagesRepository,
  | 'recordOutgoing'
  | 'recordIncoming'
  | 'finishSending'
  | 'resend'
  | 'failUnfinished'
  | 'message'
  | 'conversation'
  | 'findConversation'
  | 'conversations'
  | 'thread'
  | 'markRead'
  | 'deleteConversation'
  | 'search'
>;
export type MessageAccountStore = Pick<AccountsRepository, 'get'>;

export interface MessageServiceDeps {
  readonly engine: MessagingEngine;
  readonly store: MessageStore;
  readonly accounts: MessageAccountStore;
  readonly events: EventHub;
  readonly clock: Pick<Clock, 'wallTime' | 'setTimer' | 'clearTimer'>;
  readonly logger: Logger;
}

/**
 * Messages the person is sending at once: handed to the engine, their outcome not in yet. Each holds its text, a
 * `sending` row and a promise here and a MESSAGE transaction below, so someone pasting into a loop (or a script on
 * the web host's socket) would otherwise pile them up while a next hop stays silent. Past it `send` and `retry`
 * answer `unavailable` until some finish. The one bound on what is being sent: the engine keeps none of its own,
 * and each user agent's MESSAGE usage, which carries is-composing too, allows more (MESSAGES_WAITING_MAX).
 */
export const SENDING_MAX = 200;
/** The failure detail stored when the engine stopped with a message still sending. */
export const ENGINE_STOPPED_DETAIL = 'engine stopped';
/** Longest technical failure line kept. */
const DETAIL_MAX = 500;
/** A dedupe key longer than this is kept as its digest (the engine builds keys; their length is not ours to trust). */
const DEDUPE_KEY_MAX = 256;

const FAILURE_REASONS: ReadonlySet<string> = new Set(MESSAGE_FAILURE_REASONS);

export class MessageService {
  readonly #deps: MessageServiceDeps;
  /** Messages handed to the engine and not yet finished, by id: what `stop` waits for. */
  readonly #sending = new Map<string, Promise<void>>();
  readonly #detach: (() => void)[] = [];
  #stopping: Promise<void> | undefined;

  constructor(deps: MessageServiceDeps) {
    this.#deps = deps;
  }

  /** Fails what a stopped engine left sending, then takes incoming messages and composing indications. */
  start(): void {
    try {
      const failed = this.#deps.store.failUnfinished(ENGINE_STOPPED_DETAIL);
      if (failed)
        this.#deps.logger.log('info', 'marked messages the last run left sending as failed', { failed });
    } catch (error) {
      this.#deps.logger.log('warn', 'messages left sending could not be marked failed', {
        error: messageOf(error),
      });
    }
    this.#deps.engine.setIncomingHandler((message) => this.#incoming(message));
    this.#detach.push(this.#deps.engine.onComposing((indication) => this.#composing(indication)));
  }

  /**
   * Stops taking messages (one arriving from now on is answered `failed`, so its sender retries once we run again),
   * lets the messages being sent finish for up to `timeoutMs`, then shuts the engine down, which fails the rest.
   * Whatever outcome cannot be stored before the store closes is marked failed at the next start.
   */
  stop(timeoutMs: number): Promise<void> {
    this.#stopping ??= (async () => {
      this.#deps.engine.setIncomingHandler(() => ({ kind: 'failed', detail: 'the engine is stopping' }));
      for (const detach of this.#detach.splice(0)) detach();
      await this.#settled(timeoutMs);
      try {
        this.#deps.engine.shutdown();
      } catch (error) {
        this.#deps.logger.log('warn', 'stopping the messaging engine failed', { error: messageOf(error) });
      }
      // The engine fails what was still in flight; give those outcomes a turn to be written.
      await this.#settled(0);
    })();
    return this.#stopping;
  }

  conversations(): ConversationDto[] {
    return this.#read(() => this.#deps.store.conversations());
  }

  list(page: MessagePageRequest): MessagePage {
    return this.#read(() => {
      if (!this.#deps.store.conversation(page.conversationId)) throw conversationNotFound();
      return this.#deps.store.thread(page);
    });
  }

  search(request: MessageSearchRequest): MessageSearchHitDto[] {
    return this.#read(() => this.#deps.store.search(request.text, request.limit));
  }

  send(request: SendMessageRequest): MessageDto {
    const key = checkAddress(request.to, 'to');
    this.#checkAccount(request.accountId);
    if (Buffer.byteLength(request.body, 'utf8') > MESSAGE_BODY_MAX_BYTES) {
      throw new ServiceError(
        'invalid-argument',
        `The message is longer than ${MESSAGE_BODY_MAX_BYTES} bytes.`,
        {
          field: 'body',
        },
      );
    }
    this.#checkRoom();
    // The address as the person wrote it, less a password (never kept, shown or sent on; RFC 3261 §19.1.1).
    const to = withoutPassword(request.to);
    const written = this.#read(() =>
      this.#deps.store.recordOutgoing({
        accountId: request.accountId,
        peerKey: key,
        peerUri: to,
        body: request.body,
        sentAt: this.#deps.clock.wallTime(),
      }),
    );
    this.#announce(written);
    this.#dispatch(written.message.id, { accountId: request.accountId, to, body: request.body });
    return written.message;
  }

  retry(messageId: string): MessageDto {
    const found = this.#read(() => this.#deps.store.message(messageId));
    if (!found) throw new ServiceError('not-found', 'That message no longer exists.');
    if (found.message.direction !== 'outgoing' || found.message.delivery !== 'failed') {
      throw new ServiceError('conflict', 'Only a message that failed can be sent again.');
    }
    this.#checkAccount(found.accountId);
    this.#checkRoom();
    const written = this.#read(() => this.#deps.store.resend(messageId));
    if (!written) throw new ServiceError('conflict', 'Only a message that failed can be sent again.');
    this.#announce(written);
    this.#dispatch(messageId, {
      accountId: written.accountId,
      to: written.peerUri,
      body: written.message.body,
    });
    return written.message;
  }

  markRead(conversationId: string): null {
    const conversation = this.#read(() => this.#deps.store.markRead(conversationId));
    if (!conversation) throw conversationNotFound();
    this.#deps.events.emit('conversation.changed', conversation);
    return null;
  }

  deleteConversation(conversationId: string): null {
    if (!this.#read(() => this.#deps.store.deleteConversation(conversationId))) throw conversationNotFound();
    this.#deps.events.emit('conversation.removed', { id: conversationId });
    return null;
  }

  setComposing(request: ComposingRequest): null {
    checkAddress(request.to, 'to');
    this.#checkAccount(request.accountId);
    this.#deps.engine.setComposing(request.accountId, withoutPassword(request.to), request.state);
    return null;
  }

  /** Hands a stored message to the engine; its outcome is stored and announced whenever it comes. */
  #dispatch(id: string, message: OutgoingMessage): void {
    const done = this.#deliver(message)
      .then((outcome) => this.#finish(id, outcome))
      .finally(() => this.#sending.delete(id));
    this.#sending.set(id, done);
  }

  async #deliver(message: OutgoingMessage): Promise<SendOutcome> {
    try {
      return await this.#deps.engine.send(message);
    } catch (error) {
      // The seam promises outcomes, not throws; a slip still ends the message as failed rather than sending for ever.
      return { ok: false, failure: { reason: 'failed', status: null, detail: bounded(messageOf(error)) } };
    }
  }

  #finish(id: string, outcome: SendOutcome): void {
    try {
      const written = this.#deps.store.finishSending(
        id,
        outcome.ok
          ? { ok: true, deliveredAt: this.#deps.clock.wallTime() }
          : { ok: false, failure: sanitisedFailure(outcome.failure) },
      );
      // Undefined: the conversation was deleted while the message was on its way.
      if (written) this.#announce(written);
    } catch (error) {
      // The message stays `sending` on disk and is marked failed at the next start.
      this.#deps.logger.log('warn', 'a message outcome could not be stored', {
        message: id,
        error: messageOf(error),
      });
    }
  }

  #incoming(message: IncomingMessage): IncomingVerdict {
    try {
      const key = message.from.length <= SIP_URI_MAX ? peerKey(message.from) : null;
      if (key === null) return { kind: 'refused', status: 400, reason: 'Bad From Address' };
      if (message.body.length > MESSAGE_BODY_MAX_BYTES) {
        return { kind: 'refused', status: 413, reason: 'Request Entity Too Large' };
      }
      const outcome = this.#deps.store.recordIncoming({
        accountId: message.accountId,
        peerKey: key,
        // The engine's usage drops a From's password already; this store keeps none whatever engine sits below.
        peerUri: withoutPassword(message.from),
        peerName: displayName(message.fromName),
        body: message.body,
        // A message cannot have been written after it arrived: a sender's clock running ahead is not believed.
        sentAt: message.date === null ? message.receivedAt : Math.min(message.date, message.receivedAt),
        receivedAt: message.receivedAt,
        dedupeKey: boundedKey(message.dedupeKey),
      });
      // Too many conversations opened by strangers: refuse new ones, keep taking the existing ones' messages.
      if (outcome.kind === 'full') return { kind: 'refused', status: 486, reason: 'Busy Here' };
      if (outcome.kind === 'stored') this.#announce(outcome);
      return { kind: 'stored' };
    } catch (error) {
      this.#deps.logger.log('warn', 'an incoming message could not be stored', { error: messageOf(error) });
      return { kind: 'failed', detail: bounded(messageOf(error)) };
    }
  }

  #composing(indication: ComposingIndication): void {
    try {
      const key = indication.from.length <= SIP_URI_MAX ? peerKey(indication.from) : null;
      if (key === null) return;
      const conversation = this.#deps.store.findConversation({
        accountId: indication.accountId,
        peerKey: key,
      });
      if (!conversation) return;
      this.#deps.events.emit('message.composing', {
        conversationId: conversation.id,
        accountId: conversation.accountId,
        peerUri: conversation.peerUri,
        state: indication.state,
      });
    } catch (error) {
      this.#deps.logger.log('debug', 'a composing indication was dropped', { error: messageOf(error) });
    }
  }

  #announce(written: MessageWrite): void {
    this.#deps.events.emit('message.changed', written.message);
    this.#deps.events.emit('conversation.changed', written.conversation);
  }

  /** Null sends without an account; otherwise the account must exist and be enabled. */
  #checkAccount(accountId: string | null): void {
    if (accountId === null) return;
    const account = this.#read(() => this.#deps.accounts.get(accountId));
    if (!account)
      throw new ServiceError('not-found', 'That account no longer exists.', { field: 'accountId' });
    if (!account.enabled)
      throw new ServiceError('conflict', 'Enable the account first.', { field: 'accountId' });
  }

  #checkRoom(): void {
    if (this.#stopping) throw new ServiceError('unavailable', 'The engine is stopping.');
    if (this.#sending.size >= SENDING_MAX) {
      throw new ServiceError(
        'unavailable',
        'Too many messages are being sent; try again when some have gone.',
      );
    }
  }

  /** Runs a store call; a refusal becomes the contract's `storage` error (programming errors stay loud). */
  #read<T>(operation: () => T): T {
    try {
      return operation();
    } catch (error) {
      if (error instanceof StoreFailure) {
        throw new ServiceError('storage', `The message store failed (${error.error.kind}).`);
      }
      throw error;
    }
  }

  /** Resolves when every message being sent has finished, or after `timeoutMs`, whichever is first. */
  async #settled(timeoutMs: number): Promise<void> {
    if (this.#sending.size === 0) return;
    let timer: TimerHandle | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = this.#deps.clock.setTimer(timeoutMs, resolve);
    });
    await Promise.race([Promise.allSettled([...this.#sending.values()]), deadline]);
    this.#deps.clock.clearTimer(timer);
  }
}

/** The schema checked the shape; the SIP grammar is checked here. Returns the peer's lookup key. */
function checkAddress(text: string, field: string): string {
  const parsed = parseUri(text);
  const key = parsed.ok && isSipUri(parsed.value) ? peerKeyOf(parsed.value) : null;
  if (key === null) throw new ServiceError('invalid-argument', `${text} is not a SIP URI`, { field });
  return key;
}

function conversationNotFound(): ServiceError {
  return new ServiceError('not-found', 'That conversation no longer exists.');
}

/** What the engine reported, within what the store keeps: a known reason, a real status, a bounded detail. */
function sanitisedFailure(failure: MessageFailureDto): MessageFailureDto {
  const status = failure.status;
  return {
    reason: FAILURE_REASONS.has(failure.reason) ? failure.reason : 'failed',
    status: status !== null && Number.isInteger(status) && status >= 100 && status <= 699 ? status : null,
    detail: failure.detail === null ? null : bounded(failure.detail),
  };
}

function displayName(name: string | null): string | null {
  const trimmed = name?.trim() ?? '';
  return trimmed.length === 0 ? null : trimmed.slice(0, CONTACT_NAME_MAX);
}

function boundedKey(key: string): string {
  return key.length <= DEDUPE_KEY_MAX ? key : `sha256:${createHash('sha256').update(key).digest('hex')}`;
}

function bounded(text: string): string {
  return text.length <= DETAIL_MAX ? text : `${text.slice(0, DETAIL_MAX - 1)}…`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
