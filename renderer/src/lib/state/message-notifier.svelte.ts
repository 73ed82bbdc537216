// New-message notices from the window. A message the person is not looking at (another conversation is open, or
// another view) raises a notice inside the window when the window is in front; when it is not, the web host raises
// a system notification through the browser's Notification API (the desktop app's come from its main process, see
// main/app/message-alerts.ts). Which messages alert at all — incoming ones, once, a burst of offline messages as one
// summary — is the contract's MessageAlertGate, shared with the desktop shell. Clicking either opens the
// conversation (a summary opens the chat).
import type { ConversationDto } from '../../../../main/contract/contract';
import { type MessageAlert, MessageAlertGate } from '../../../../main/contract/message-alerts';
import { cleanPeerText, peerTitle } from '../../../../main/contract/peer-text';
import type { Bridge } from '../bridge';
import type { NotificationPort, PagePresence, PeerNamer } from './call-notifier.svelte';
import type { ChatClock } from './messages.svelte';

/** What the in-window notice shows. */
export interface MessageNotice {
  /** The conversation to open; null for a summary of several. */
  readonly conversationId: string | null;
  readonly title: string;
  readonly text: string;
}

export interface MessageNotifierOptions {
  readonly bridge: Bridge;
  readonly messages: {
    readonly conversations: readonly ConversationDto[];
    isSeen(conversationId: string): boolean;
  };
  /** The browser's notifications: the web host's; null in the desktop app, whose shell raises its own. */
  readonly port: NotificationPort | null;
  readonly page: PagePresence;
  readonly clock: ChatClock;
  /** What to call a conversation's far end (`AppState.titleOf`); the name it sent, else its address, by default. */
  readonly titleOf?: PeerNamer;
  /** Shows the conversation (or the chat, for null). */
  readonly open: (conversationId: string | null) => void;
}

/** How long the in-window notice stays unless dismissed or replaced. */
export const NOTICE_SHOWN_MS = 8_000;

export class MessageNotifier {
  notice = $state<MessageNotice | null>(null);
  #hideNotice: (() => void) | null = null;

  constructor(private readonly options: MessageNotifierOptions) {}

  start(): () => void {
    const { options } = this;
    const gate = new MessageAlertGate({
      isShown: (id) => options.messages.isSeen(id),
      raise: (alert) => this.#raise(alert),
      schedule: (ms, run) => options.clock.after(ms, run),
    });
    const stop = options.bridge.on('message.changed', (message) => gate.messageChanged(message));
    return () => {
      stop();
      gate.dispose();
      this.dismiss();
    };
  }

  /** Opens what the notice is about and hides it. */
  openNotice(): void {
    const notice = this.notice;
    this.dismiss();
    if (notice) this.options.open(notice.conversationId);
  }

  dismiss(): void {
    this.#hideNotice?.();
    this.#hideNotice = null;
    this.notice = null;
  }

  #titleOf(conversationId: string): string {
    const conversation = this.options.messages.conversations.find((item) => item.id === conversationId);
    if (!conversation) return 'New message';
    return (this.options.titleOf ?? peerTitle)(conversation);
  }

  #words(alert: MessageAlert): MessageNotice {
    if (alert.kind === 'message') {
      return {
        conversationId: alert.message.conversationId,
        title: this.#titleOf(alert.message.conversationId),
        text: cleanPeerText(alert.message.body, 200),
      };
    }
    const names = alert.conversationIds.slice(0, 3).map((id) => this.#titleOf(id));
    const more = alert.conversationIds.length - names.length;
    return {
      conversationId: alert.conversationIds.length === 1 ? alert.conversationIds[0]! : null,
      title: `${alert.count} messages arrived while you were away`,
      text: `From ${names.join(', ')}${more > 0 ? ` and ${more} more` : ''}`,
    };
  }

  #raise(alert: MessageAlert): void {
    const notice = this.#words(alert);
    const { page, port, clock, open } = this.options;
    if (page.isInView()) {
      this.#hideNotice?.();
      this.notice = notice;
      this.#hideNotice = clock.after(NOTICE_SHOWN_MS, () => this.dismiss());
      return;
    }
    if (!port || port.permission() !== 'granted') return;
    try {
      // One notification per conversation: a newer message replaces the older one (same tag).
      const tag = `message-${notice.conversationId ?? 'backlog'}`;
      const shown = port.show(notice.title, notice.text, tag, () => {
        page.focus();
        shown.close();
        open(notice.conversationId);
      });
    } catch {
      // Some browsers refuse page notifications outright (Android Chrome wants a service worker): nothing to do.
    }
  }
}
