// The chat as the window knows it, fed by the engine's events: the conversations newest first with their unread
// counts (their sum is the navigation badge), the open thread a page at a time (`messages.list` with a cursor), who
// is typing, the search, and our own typing indication.
//
// The thread is kept oldest first, ordered by (sentAt, id) like the engine's cursor. A `message.changed` for the
// open conversation is put in its place: a new message at the end, a delivery change in place, and an offline
// message with an old date where its date puts it — unless it is older than everything loaded while older pages
// remain, in which case it arrives with its page when the person goes back that far.
//
// Reading is view state with one rule: a conversation counts as read (`messages.markRead`) while it is open, the
// chat view is showing it, and the window is in front of the person. The view says when it shows the thread; the
// page presence says whether the window is in front.
//
// The lists (conversations, the thread, who is typing, search results) are `$state.raw`: every change replaces
// the array, so no proxy is made per message or conversation, and the view's keyed lists redraw what changed. The
// open conversation and the unread total are derived from the list once per change, not scanned on every read.
//
// Typing (RFC 3994) both ways. The engine refreshes and times out our `active` itself; the window says `active` at
// the first keystroke and again at most every COMPOSING_RESEND_MS while the person types, and `idle` when the text
// is cleared or sent. The peer's `active` shows "is typing…" until the engine says `idle`, a message from them
// arrives (RFC 3994 §3: a message ends composing), or COMPOSING_SHOWN_MS pass without a refresh (the engine's idle
// event could be lost with the web host's socket).
import type {
  ComposingDto,
  ConversationDto,
  MessageCursor,
  MessageDto,
  MessageSearchHitDto,
  Result,
} from '../../../../main/contract/contract';
import { DEFAULT_MESSAGE_PAGE, MESSAGE_PAGE_MAX, MESSAGE_SEARCH_MAX } from '../../../../main/contract/limits';
import { cleanPeerText, peerTitle } from '../../../../main/contract/peer-text';
import type { Bridge } from '../bridge';
import { type ErrorText, commandErrorText } from '../error-text';
import type { PeerNamer } from './call-notifier.svelte';

/** Time for the typing indicator and our own typing indication; the browser's by default, a manual one in tests. */
export interface ChatClock {
  /** Milliseconds on any steady scale. */
  now(): number;
  /** Calls `run` once after `ms`, unless the returned function is called first. */
  after(ms: number, run: () => void): () => void;
}

export const browserChatClock: ChatClock = {
  now: () => performance.now(),
  after: (ms, run) => {
    const handle = window.setTimeout(run, ms);
    return () => window.clearTimeout(handle);
  },
};

/** Whether the window is in front of the person (focused and not hidden). */
export interface ChatPresence {
  isInView(): boolean;
}

/** The peer's `active` shows this long without a refresh (RFC 3994 §4: their refresh is 120 s by default). */
export const COMPOSING_SHOWN_MS = 130_000;
/** While the person keeps typing, `active` is said again at most this often. */
export const COMPOSING_RESEND_MS = 5_000;
/** A search result older than the pages loaded is looked for through at most this many pages. */
const JUMP_PAGES_MAX = 25;

/** Where a message goes: an existing conversation's account and peer, or a new one's. */
export interface ChatTarget {
  readonly accountId: string | null;
  readonly peerUri: string;
}

export interface ChatFailure extends ErrorText {
  readonly action: 'load' | 'thread' | 'send' | 'retry' | 'delete' | 'search';
}

function byTime(a: MessageDto, b: MessageDto): number {
  return a.sentAt - b.sentAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).filter(([name]) => name !== key));
}

function targetKey(target: ChatTarget): string {
  return `${target.accountId ?? ''} ${target.peerUri}`;
}

export class MessagesState {
  /** Newest first. */
  conversations = $state.raw<ConversationDto[]>([]);
  loaded = $state(false);
  /** The conversation shown in the thread; null on the list. */
  openId = $state<string | null>(null);
  /** The open conversation's messages loaded so far, oldest first. */
  thread = $state.raw<MessageDto[]>([]);
  /** The cursor of the next older page; null when the start of the conversation is loaded. */
  threadNext = $state<MessageCursor | null>(null);
  threadLoading = $state(false);
  /** A message to bring into view and mark (a search result), until another thread opens or we send. */
  highlightId = $state<string | null>(null);
  /** Conversations whose peer is typing now. */
  typing = $state.raw<string[]>([]);
  searchText = $state('');
  searchResults = $state.raw<MessageSearchHitDto[] | null>(null);
  searching = $state(false);
  error = $state<ChatFailure | null>(null);
  /** For a polite live region: the newest message that arrived in the open thread. */
  announcement = $state('');
  /** Whether the chat view is showing the open thread (set by the view). */
  #showing = false;
  // Plain records, not reactive: nothing is drawn from them.
  #typingTimers: Record<string, () => void> = {};
  /** Our own typing indication per target: when `active` was last said. */
  #saidActiveAt: Record<string, number> = {};
  #threadRequest = 0;
  #searchRequest = 0;

  constructor(
    private readonly bridge: Bridge,
    private readonly presence: ChatPresence,
    private readonly clock: ChatClock = browserChatClock,
    private readonly pageSize: number = DEFAULT_MESSAGE_PAGE,
    /** What to call a conversation's far end (`AppState.titleOf`), for the announcement of a new message. */
    private readonly titleOf: PeerNamer = peerTitle,
  ) {}

  /** Every conversation's unread messages, for the navigation badge. */
  readonly unreadTotal = $derived(this.conversations.reduce((sum, item) => sum + item.unread, 0));
  /** The conversation whose thread is open; null when none is, or it is gone. */
  readonly open = $derived(this.conversations.find((item) => item.id === this.openId) ?? null);

  /** Subscribes to the engine's chat events; returns the function that unsubscribes. */
  start(): () => void {
    const stops = [
      this.bridge.on('message.changed', (message) => this.receiveMessage(message)),
      this.bridge.on('conversation.changed', (conversation) => this.receiveConversation(conversation)),
      this.bridge.on('conversation.removed', ({ id }) => this.removeConversation(id)),
      this.bridge.on('message.composing', (composing) => this.receiveComposing(composing)),
    ];
    return () => {
      for (const stop of stops) stop();
      for (const stop of Object.values(this.#typingTimers)) stop();
      this.#typingTimers = {};
    };
  }

  async load(): Promise<void> {
    const result = await this.bridge.invoke('messages.conversations');
    if (!result.ok) {
      this.#fail('load', result.error);
      return;
    }
    this.conversations = [...result.value].sort((a, b) => b.updatedAt - a.updatedAt);
    this.loaded = true;
    if (this.error?.action === 'load') this.error = null;
    // The open thread may have missed events while the link was down: load as much of it as was loaded.
    if (this.openId !== null)
      await this.#loadThread(
        this.openId,
        Math.min(MESSAGE_PAGE_MAX, Math.max(this.pageSize, this.thread.length)),
      );
  }

  receiveConversation(conversation: ConversationDto): void {
    const others = this.conversations.filter((item) => item.id !== conversation.id);
    this.conversations = [conversation, ...others].sort((a, b) => b.updatedAt - a.updatedAt);
    if (conversation.id === this.openId && conversation.unread > 0) this.#markReadIfSeen();
  }

  removeConversation(id: string): void {
    this.conversations = this.conversations.filter((item) => item.id !== id);
    this.#stopTyping(id);
    if (this.openId === id) this.close();
    if (this.searchResults)
      this.searchResults = this.searchResults.filter((hit) => hit.conversation.id !== id);
  }

  receiveMessage(message: MessageDto): void {
    if (message.direction === 'incoming') this.#stopTyping(message.conversationId);
    if (message.conversationId !== this.openId) return;
    const index = this.thread.findIndex((item) => item.id === message.id);
    if (index >= 0) {
      this.thread = this.thread.with(index, message).sort(byTime);
      return;
    }
    // Older than every loaded message while older pages remain: it belongs to a page not loaded yet.
    if (this.threadNext !== null && this.thread[0] && byTime(message, this.thread[0]) < 0) return;
    this.thread = [...this.thread, message].sort(byTime);
    if (message.direction === 'incoming') {
      this.announcement = `${this.#titleOfOpen()}: ${cleanPeerText(message.body, 300)}`;
      this.#markReadIfSeen();
    }
  }

  receiveComposing(composing: ComposingDto): void {
    if (composing.state === 'idle') {
      this.#stopTyping(composing.conversationId);
      return;
    }
    const id = composing.conversationId;
    this.#typingTimers[id]?.();
    if (!this.typing.includes(id)) this.typing = [...this.typing, id];
    this.#typingTimers[id] = this.clock.after(COMPOSING_SHOWN_MS, () => this.#stopTyping(id));
  }

  /** Opens a conversation's thread at its newest messages, or at one message (a search result). */
  async openConversation(id: string, at: string | null = null): Promise<void> {
    if (this.openId !== id) {
      this.openId = id;
      this.thread = [];
      this.threadNext = null;
    }
    this.highlightId = at;
    await this.#loadThread(id, this.pageSize);
    if (at === null) return;
    // A result older than the newest page: go back a page at a time until it is there (bounded).
    for (let page = 0; page < JUMP_PAGES_MAX; page++) {
      if (this.openId !== id || this.thread.some((item) => item.id === at) || !this.threadNext) break;
      await this.loadOlder(MESSAGE_PAGE_MAX);
    }
  }

  /**
   * Opens the conversation with this peer on this account when there is one (with no account given, the peer's
   * conversation on any account, the newest); answers whether there was.
   */
  async openWith(target: ChatTarget): Promise<boolean> {
    const peer = target.peerUri.toLowerCase();
    const samePeer = this.conversations.filter((item) => item.peerUri.toLowerCase() === peer);
    const found =
      samePeer.find((item) => item.accountId === target.accountId) ??
      (target.accountId === null ? samePeer[0] : undefined);
    if (!found) return false;
    await this.openConversation(found.id);
    return true;
  }

  close(): void {
    this.openId = null;
    this.thread = [];
    this.threadNext = null;
    this.highlightId = null;
    this.threadLoading = false;
    this.#threadRequest++;
  }

  /** Appends the next older page to the front of the thread. */
  async loadOlder(limit = this.pageSize): Promise<void> {
    const id = this.openId;
    const before = this.threadNext;
    if (id === null || before === null || this.threadLoading) return;
    this.threadLoading = true;
    const request = ++this.#threadRequest;
    const result = await this.bridge.invoke('messages.list', { conversationId: id, limit, before });
    if (request !== this.#threadRequest) return;
    this.threadLoading = false;
    if (!result.ok) {
      this.#fail('thread', result.error);
      return;
    }
    const known = this.thread.map((item) => item.id);
    const older = result.value.messages.filter((item) => !known.includes(item.id));
    this.thread = [...older, ...this.thread].sort(byTime);
    this.threadNext = result.value.next;
  }

  /** The view shows the open thread (or stopped showing it): while it does and the window is in front, it is read. */
  setShowing(showing: boolean): void {
    this.#showing = showing;
    if (showing) this.#markReadIfSeen();
  }

  /** The window came in front of the person. */
  windowFocused(): void {
    this.#markReadIfSeen();
  }

  /** Whether a new message in this conversation is in front of the person now. */
  isSeen(conversationId: string): boolean {
    return this.#showing && this.openId === conversationId && this.presence.isInView();
  }

  async send(target: ChatTarget, body: string): Promise<Result<MessageDto>> {
    const result = await this.bridge.invoke('messages.send', {
      accountId: target.accountId,
      to: target.peerUri,
      body,
    });
    if (!result.ok) {
      this.#fail('send', result.error);
      return result;
    }
    if (this.error?.action === 'send') this.error = null;
    // Back to the newest messages: the thread follows what was just sent.
    this.highlightId = null;
    // The text is sent: we are no longer composing it.
    this.leftComposer(target);
    if (this.openId === null || this.openId !== result.value.conversationId) {
      await this.openConversation(result.value.conversationId);
    } else {
      this.receiveMessage(result.value);
    }
    return result;
  }

  async retry(messageId: string): Promise<void> {
    const result = await this.bridge.invoke('messages.retry', messageId);
    if (!result.ok) this.#fail('retry', result.error);
    else this.receiveMessage(result.value);
  }

  async deleteConversation(id: string): Promise<boolean> {
    const result = await this.bridge.invoke('messages.deleteConversation', id);
    if (!result.ok) {
      this.#fail('delete', result.error);
      return false;
    }
    this.removeConversation(id);
    return true;
  }

  /**
   * The person's text in the composer changed: `active` at the first keystroke and at most every
   * COMPOSING_RESEND_MS after, `idle` once the text is empty again.
   */
  typed(target: ChatTarget, text: string): void {
    const key = targetKey(target);
    const said = this.#saidActiveAt[key];
    if (text.trim() === '') {
      if (said === undefined) return;
      this.#saidActiveAt = without(this.#saidActiveAt, key);
      this.#sayComposing(target, 'idle');
      return;
    }
    const now = this.clock.now();
    if (said !== undefined && now - said < COMPOSING_RESEND_MS) return;
    this.#saidActiveAt[key] = now;
    this.#sayComposing(target, 'active');
  }

  /** The composer for this target goes away with text in it: tell the peer we stopped. */
  leftComposer(target: ChatTarget): void {
    const key = targetKey(target);
    if (this.#saidActiveAt[key] === undefined) return;
    this.#saidActiveAt = without(this.#saidActiveAt, key);
    this.#sayComposing(target, 'idle');
  }

  /** Searches every message; a newer search replaces the answer of an older one still under way. */
  async search(text: string): Promise<void> {
    const words = text.trim().slice(0, MESSAGE_SEARCH_MAX);
    this.searchText = text;
    const request = ++this.#searchRequest;
    if (words === '') {
      this.searchResults = null;
      this.searching = false;
      return;
    }
    this.searching = true;
    const result = await this.bridge.invoke('messages.search', { text: words, limit: MESSAGE_PAGE_MAX });
    if (request !== this.#searchRequest) return;
    this.searching = false;
    if (!result.ok) {
      this.#fail('search', result.error);
      this.searchResults = [];
      return;
    }
    if (this.error?.action === 'search') this.error = null;
    this.searchResults = result.value;
  }

  clearSearch(): void {
    this.#searchRequest++;
    this.searchText = '';
    this.searchResults = null;
    this.searching = false;
  }

  clearError(): void {
    this.error = null;
  }

  async #loadThread(id: string, limit: number): Promise<void> {
    this.threadLoading = true;
    const request = ++this.#threadRequest;
    const result = await this.bridge.invoke('messages.list', { conversationId: id, limit, before: null });
    if (request !== this.#threadRequest) return;
    this.threadLoading = false;
    if (!result.ok) {
      this.#fail('thread', result.error);
      return;
    }
    if (this.error?.action === 'thread') this.error = null;
    this.thread = [...result.value.messages].sort(byTime);
    this.threadNext = result.value.next;
    this.#markReadIfSeen();
  }

  #titleOfOpen(): string {
    const open = this.open;
    return open ? this.titleOf(open) : 'New message';
  }

  #markReadIfSeen(): void {
    const open = this.open;
    if (!open || open.unread === 0 || !this.isSeen(open.id)) return;
    // Shown at once; the engine's `conversation.changed` confirms.
    this.conversations = this.conversations.map((item) =>
      item.id === open.id ? { ...item, unread: 0 } : item,
    );
    void this.bridge.invoke('messages.markRead', open.id);
  }

  #stopTyping(conversationId: string): void {
    this.#typingTimers[conversationId]?.();
    this.#typingTimers = without(this.#typingTimers, conversationId);
    if (this.typing.includes(conversationId))
      this.typing = this.typing.filter((item) => item !== conversationId);
  }

  #sayComposing(target: ChatTarget, state: 'active' | 'idle'): void {
    void this.bridge.invoke('messages.setComposing', {
      accountId: target.accountId,
      to: target.peerUri,
      state,
    });
  }

  #fail(action: ChatFailure['action'], error: Parameters<typeof commandErrorText>[0]): void {
    this.error = { action, ...commandErrorText(error) };
  }
}
