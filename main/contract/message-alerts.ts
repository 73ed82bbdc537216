// Which new messages deserve a notification, shared by the desktop shell (system notifications from main) and the
// window (the web host's notifications, the in-window notice): an incoming message, once, that the person is not
// already looking at. Our own messages and delivery changes never alert. Messages the server kept while we were
// offline (RFC 3428 store-and-forward, Kamailio's msilo) arrive in a burst with old dates on registration: they are
// gathered for BACKLOG_GATHER_MS and alerted as one summary instead of one notification each.
//
//   message.changed ──► incoming and received? ──no──► ignored
//                         │ yes
//                         ▼
//                   seen this id before? ──yes──► ignored (a repeat of the same event)
//                         │ no
//                         ▼
//                   shown to the person now? ──yes──► ignored
//                         │ no
//                         ▼
//          written OFFLINE_AGE_MS or more before it arrived?
//              │ no                         │ yes
//              ▼                            ▼
//        one `message` alert        gathered; BACKLOG_GATHER_MS after the first, one `backlog` alert
//
// Plain code without imports of values, so the window may bundle it; time comes in through `schedule`.
import type { MessageDto } from './contract';

/** A message written this long before it reached us was kept by the server while we were away. */
export const OFFLINE_AGE_MS = 120_000;
/** How long the first offline message waits for the rest of its burst before the summary is raised. */
export const BACKLOG_GATHER_MS = 3_000;
/** Message ids remembered to drop repeats; older ones are forgotten (a repeat that late is harmless). */
const REMEMBERED_MAX = 500;

export type MessageAlert =
  | { readonly kind: 'message'; readonly message: MessageDto }
  | {
      readonly kind: 'backlog';
      /** How many messages arrived. */
      readonly count: number;
      /** Their conversations, in the order they first appeared, each once. */
      readonly conversationIds: readonly string[];
    };

export interface MessageAlertGateOptions {
  /** Whether the person is looking at this conversation now (then nothing is raised). */
  readonly isShown: (conversationId: string) => boolean;
  readonly raise: (alert: MessageAlert) => void;
  /** Runs `run` once after `ms`; answers the function that cancels it. */
  readonly schedule: (ms: number, run: () => void) => () => void;
}

export class MessageAlertGate {
  #remembered: string[] = [];
  #backlog: MessageDto[] = [];
  #cancelBacklog: (() => void) | null = null;

  constructor(private readonly options: MessageAlertGateOptions) {}

  /** Feed every `message.changed`. */
  messageChanged(message: MessageDto): void {
    if (message.direction !== 'incoming' || message.delivery !== 'received') return;
    if (this.#remembered.includes(message.id)) return;
    this.#remembered.push(message.id);
    if (this.#remembered.length > REMEMBERED_MAX) this.#remembered.shift();
    if (this.options.isShown(message.conversationId)) return;
    const arrived = message.deliveredAt ?? message.sentAt;
    if (arrived - message.sentAt < OFFLINE_AGE_MS) {
      this.options.raise({ kind: 'message', message });
      return;
    }
    this.#backlog.push(message);
    this.#cancelBacklog ??= this.options.schedule(BACKLOG_GATHER_MS, () => this.#raiseBacklog());
  }

  dispose(): void {
    this.#cancelBacklog?.();
    this.#cancelBacklog = null;
    this.#backlog = [];
  }

  #raiseBacklog(): void {
    this.#cancelBacklog = null;
    // Read meanwhile (the person opened the conversation): not worth a notification any more.
    const unseen = this.#backlog.filter((message) => !this.options.isShown(message.conversationId));
    this.#backlog = [];
    if (unseen.length === 0) return;
    if (unseen.length === 1) {
      this.options.raise({ kind: 'message', message: unseen[0]! });
      return;
    }
    const conversationIds: string[] = [];
    for (const message of unseen)
      if (!conversationIds.includes(message.conversationId)) conversationIds.push(message.conversationId);
    this.options.raise({ kind: 'backlog', count: unseen.length, conversationIds });
  }
}
