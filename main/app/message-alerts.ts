// What the desktop shell tells the person about new messages outside the window: a system notification for an
// incoming message while the window is not focused (with the window in front, the window shows its own notice),
// one summary for a burst of offline messages, none for our own messages. Which messages alert is the contract's
// MessageAlertGate, shared with the window. Clicking a notification opens that conversation. Names and text come
// from the network and go through the contract's peer-text cleaning (text only, bounded) before they reach the
// operating system.
import type { ConversationDto, EngineEventSource, MessageDto } from '../contract/contract';
import { type MessageAlert, MessageAlertGate } from '../contract/message-alerts';
import { cleanPeerText, peerTitle } from '../contract/peer-text';
import type { Notifier } from './notifications';

export interface MessageAlertsOptions {
  readonly events: EngineEventSource;
  readonly notifier: Notifier;
  /** Whether the window has the focus now (its own notice covers that case). */
  readonly isWindowFocused: () => boolean;
  /** A notification was clicked: show this conversation (null: the chat, for a summary of several). */
  readonly onOpenConversation: (conversationId: string | null) => void;
  /** Runs `run` once after `ms` (the composition root's timer); answers the function that cancels it. */
  readonly schedule: (ms: number, run: () => void) => () => void;
}

/** Conversations whose names are remembered for notifications; the least recently changed are forgotten. */
const NAMES_MAX = 1_000;
const BODY_MAX = 200;

export class MessageAlerts {
  readonly #names = new Map<string, Pick<ConversationDto, 'peerName' | 'peerUri'>>();
  readonly #gate: MessageAlertGate;
  readonly #unsubscribe: () => void;
  #disposed = false;

  constructor(private readonly options: MessageAlertsOptions) {
    this.#gate = new MessageAlertGate({
      isShown: () => options.isWindowFocused(),
      // The engine announces a new conversation right after its first message: name it once both are in.
      raise: (alert) => queueMicrotask(() => this.#raise(alert)),
      schedule: options.schedule,
    });
    this.#unsubscribe = options.events.subscribe((name, payload) => {
      if (name === 'conversation.changed') this.#remember(payload as ConversationDto);
      else if (name === 'conversation.removed') this.#names.delete((payload as { id: string }).id);
      else if (name === 'message.changed') this.#gate.messageChanged(payload as MessageDto);
    });
  }

  dispose(): void {
    this.#disposed = true;
    this.#unsubscribe();
    this.#gate.dispose();
  }

  #remember(conversation: ConversationDto): void {
    this.#names.delete(conversation.id);
    this.#names.set(conversation.id, { peerName: conversation.peerName, peerUri: conversation.peerUri });
    if (this.#names.size > NAMES_MAX) {
      const oldest = this.#names.keys().next().value;
      if (oldest !== undefined) this.#names.delete(oldest);
    }
  }

  #title(conversationId: string): string {
    const peer = this.#names.get(conversationId);
    return peer ? peerTitle(peer) : 'New message';
  }

  #raise(alert: MessageAlert): void {
    if (this.#disposed) return;
    const { notifier, onOpenConversation } = this.options;
    if (alert.kind === 'message') {
      const id = alert.message.conversationId;
      notifier.notify(this.#title(id), cleanPeerText(alert.message.body, BODY_MAX), () =>
        onOpenConversation(id),
      );
      return;
    }
    const names = alert.conversationIds.slice(0, 3).map((id) => this.#title(id));
    const more = alert.conversationIds.length - names.length;
    const only = alert.conversationIds.length === 1 ? alert.conversationIds[0]! : null;
    notifier.notify(
      `${alert.count} messages arrived while you were away`,
      `From ${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
      () => onOpenConversation(only),
    );
  }
}
