// A MessagingEngine for tests of what sits on the seam (the MessageService, the engine's wiring, the kill -9 child):
// sends wait until the test settles them (or settle at once in `auto` mode), incoming messages and composing
// indications are pushed in by the test, and everything the service asked for is recorded.
import type {
  ComposingIndication,
  IncomingMessage,
  IncomingVerdict,
  MessagingEngine,
  OutgoingMessage,
  SendOutcome,
} from '../../main/services/messaging-engine';
import type { MessageFailureDto } from '../../main/contract/contract';

export interface PendingSend {
  readonly message: OutgoingMessage;
  /** Settles this send; a second call does nothing. */
  settle(outcome: SendOutcome): void;
}

export interface FakeMessagingEngineOptions {
  /** `auto`: every send is delivered (200) at once; `manual` (default): sends wait for the test. */
  readonly mode?: 'auto' | 'manual';
}

/** A delivered outcome as the engine reports a 2xx. */
export const delivered = (status = 200): SendOutcome => ({ ok: true, status, detail: `${status} OK` });

/** A failed outcome. */
export const failed = (failure: Partial<MessageFailureDto> = {}): SendOutcome => ({
  ok: false,
  failure: { reason: 'unavailable', status: 480, detail: '480 Temporarily Unavailable', ...failure },
});

export class FakeMessagingEngine implements MessagingEngine {
  mode: 'auto' | 'manual';
  /** Every send asked for, in order, settled or not. */
  readonly sends: OutgoingMessage[] = [];
  /** Sends not settled yet, oldest first. */
  readonly pending: PendingSend[] = [];
  /** Every setComposing call, in order. */
  readonly composingSent: { accountId: string | null; to: string; state: 'active' | 'idle' }[] = [];
  shutdowns = 0;
  #handler: ((message: IncomingMessage) => IncomingVerdict) | undefined;
  readonly #composingListeners = new Set<(indication: ComposingIndication) => void>();
  #counter = 0;

  constructor(options: FakeMessagingEngineOptions = {}) {
    this.mode = options.mode ?? 'manual';
  }

  send(message: OutgoingMessage): Promise<SendOutcome> {
    this.sends.push(message);
    if (this.mode === 'auto') return Promise.resolve(delivered());
    return new Promise((resolve) => {
      const pending: PendingSend = {
        message,
        settle: (outcome) => {
          const index = this.pending.indexOf(pending);
          if (index < 0) return;
          this.pending.splice(index, 1);
          resolve(outcome);
        },
      };
      this.pending.push(pending);
    });
  }

  setComposing(accountId: string | null, to: string, state: 'active' | 'idle'): void {
    this.composingSent.push({ accountId, to, state });
  }

  setIncomingHandler(handler: (message: IncomingMessage) => IncomingVerdict): void {
    this.#handler = handler;
  }

  onComposing(listener: (indication: ComposingIndication) => void): () => void {
    this.#composingListeners.add(listener);
    return () => this.#composingListeners.delete(listener);
  }

  /** As the seam says: in-flight sends end as failed. */
  shutdown(): void {
    this.shutdowns++;
    for (const pending of [...this.pending]) {
      pending.settle({ ok: false, failure: { reason: 'failed', status: null, detail: 'engine shut down' } });
    }
  }

  /** Settles the oldest pending send (or the one at `index`). */
  settle(outcome: SendOutcome, index = 0): void {
    const pending = this.pending[index];
    if (!pending) throw new Error(`no pending send at ${index}`);
    pending.settle(outcome);
  }

  get hasIncomingHandler(): boolean {
    return this.#handler !== undefined;
  }

  /**
   * Delivers a message as the engine would and returns the handler's verdict (the SIP response depends on it).
   * Defaults: from sip:bob@example.test, no account, no Date, a fresh dedupe key each time.
   */
  receive(message: Partial<IncomingMessage> = {}): IncomingVerdict {
    if (!this.#handler) throw new Error('no incoming handler is set');
    this.#counter++;
    return this.#handler({
      accountId: null,
      from: 'sip:bob@example.test',
      fromName: null,
      body: `message ${this.#counter}`,
      date: null,
      receivedAt: 1_700_000_000_000 + this.#counter,
      dedupeKey: `fake-${this.#counter}`,
      ...message,
    });
  }

  /** The peer starts or stops typing. */
  composing(indication: Partial<ComposingIndication> & Pick<ComposingIndication, 'state'>): void {
    for (const listener of this.#composingListeners) {
      listener({ accountId: null, from: 'sip:bob@example.test', ...indication });
    }
  }

  get composingListeners(): number {
    return this.#composingListeners.size;
  }
}
