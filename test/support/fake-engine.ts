// The one stand-in for the engine in every test that sits above it (web host, Electron shell, window components):
// in-memory accounts, registrations and settings behind the real CommandRouter, so arguments are validated by the
// contract's real schemas and every handler is typed by the contract. A test changes one command's behaviour with
// `override`, fires events with `emit`, and reads or replaces the state directly.
import type {
  AccountDto,
  AccountInput,
  AppInfoDto,
  CallDto,
  BuddyPresenceDto,
  CallHistoryEntryDto,
  CommandArgs,
  ContactDto,
  ContactInput,
  ConversationDto,
  MessageDto,
  OwnPresenceDto,
  WatcherDto,
  CommandName,
  CommandResult,
  EngineEventListener,
  EventName,
  Events,
  RegistrationStatusDto,
  SettingsDto,
} from '../../main/contract/contract';
import {
  DEFAULT_CODECS,
  DEFAULT_DO_NOT_DISTURB,
  DEFAULT_EARLY_MEDIA,
  DEFAULT_EXPIRES,
  DEFAULT_KEEP_ALIVE_KIND,
  DEFAULT_REGISTER,
} from '../../main/contract/limits';
import { type CommandHandlers, CommandRouter } from '../../main/services/command-router';
import type { Engine } from '../../main/services/engine-facade';
import { ServiceError } from '../../main/services/service-error';
import { settingsDefaults } from '../../main/store/settings-repository';

export type FakeCommandHandler<C extends CommandName> = (
  ...args: CommandArgs<C>
) => CommandResult<C> | Promise<CommandResult<C>>;

/** The engine's settings on a fresh store (main/store/settings-repository.ts's defaults). */
/** The store's own defaults, so a new setting needs no second copy here. */
export const DEFAULT_SETTINGS: SettingsDto = settingsDefaults;

export const defaultInfo: AppInfoDto = {
  version: '0.1.0',
  host: 'web',
  storageError: null,
  passwordProtection: { kind: 'key-file', detail: 'secret.key' },
};

/** A stored account as the engine would list it. */
export function account(overrides: Partial<AccountDto> & Pick<AccountDto, 'id'>): AccountDto {
  return {
    displayName: '',
    aor: `sip:${overrides.id}@127.0.0.1`,
    authUser: null,
    outboundProxy: null,
    registrar: null,
    transport: 'udp',
    expires: DEFAULT_EXPIRES,
    keepAliveSeconds: 0,
    keepAliveKind: DEFAULT_KEEP_ALIVE_KIND,
    enabled: true,
    register: DEFAULT_REGISTER,
    codecs: [...DEFAULT_CODECS],
    earlyMedia: DEFAULT_EARLY_MEDIA,
    doNotDisturb: DEFAULT_DO_NOT_DISTURB,
    presenceListUri: null,
    order: 0,
    hasPassword: true,
    ...overrides,
  };
}

/** A call as the engine would report it. */
export function call(overrides: Partial<CallDto> & Pick<CallDto, 'id'>): CallDto {
  return {
    accountId: null,
    direction: 'outgoing',
    peerUri: `sip:${overrides.id}@example.test`,
    peerName: null,
    state: 'dialing',
    muted: false,
    startedAt: 1_700_000_000_000,
    answeredAt: null,
    endedAt: null,
    end: null,
    ...overrides,
  };
}

/** A contact as the engine would list it. */
export function contact(overrides: Partial<ContactDto> & Pick<ContactDto, 'id'>): ContactDto {
  return {
    name: `Contact ${overrides.id}`,
    sipAddresses: [{ uri: `sip:${overrides.id}@example.test`, label: null }],
    phoneNumbers: [],
    note: '',
    favorite: false,
    watchPresence: false,
    accountId: null,
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** A watched contact's presence, available by default. */
export function buddy(
  overrides: Partial<BuddyPresenceDto> & Pick<BuddyPresenceDto, 'contactId'>,
): BuddyPresenceDto {
  return {
    uri: `sip:${overrides.contactId}@example.test`,
    accountId: 'acc-1',
    availability: 'available',
    activities: [],
    note: null,
    subscription: 'active',
    changedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** An account's own presence, published as available by default. */
export function ownPresence(
  overrides: Partial<OwnPresenceDto> & Pick<OwnPresenceDto, 'accountId'>,
): OwnPresenceDto {
  return {
    status: 'available',
    note: null,
    published: 'available',
    automatic: null,
    publication: 'published',
    detail: null,
    ...overrides,
  };
}

/** A message as the engine would store it: an incoming one by default. */
export function message(
  overrides: Partial<MessageDto> & Pick<MessageDto, 'id' | 'conversationId'>,
): MessageDto {
  return {
    direction: 'incoming',
    body: `text of ${overrides.id}`,
    sentAt: 1_700_000_000_000,
    deliveredAt: 1_700_000_000_000,
    delivery: 'received',
    failure: null,
    ...overrides,
  };
}

/** A conversation as the engine would list it. */
export function conversation(
  overrides: Partial<ConversationDto> & Pick<ConversationDto, 'id'>,
): ConversationDto {
  return {
    accountId: null,
    peerUri: `sip:${overrides.id}@example.test`,
    peerName: null,
    lastMessage: null,
    unread: 0,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/** What the window's form sends for a new account. */
export function accountInput(overrides: Partial<AccountInput> = {}): AccountInput {
  return {
    displayName: 'Alice',
    aor: 'sip:alice@example.com',
    authUser: null,
    password: 'secret',
    outboundProxy: null,
    registrar: null,
    transport: 'udp',
    expires: DEFAULT_EXPIRES,
    keepAliveSeconds: 0,
    keepAliveKind: DEFAULT_KEEP_ALIVE_KIND,
    enabled: true,
    ...overrides,
  };
}

export function status(
  overrides: Partial<RegistrationStatusDto> & Pick<RegistrationStatusDto, 'accountId' | 'state'>,
): RegistrationStatusDto {
  return {
    expires: null,
    failure: null,
    detail: null,
    status: null,
    retryInMs: null,
    lastFailure: null,
    server: null,
    ...overrides,
  };
}

export const wrongPassword = (accountId: string): RegistrationStatusDto =>
  status({ accountId, state: 'failed', failure: 'bad-credentials', detail: '401 Unauthorized', status: 401 });

export interface FakeEngineOptions {
  readonly info?: Partial<AppInfoDto>;
  readonly accounts?: readonly AccountDto[];
  readonly statuses?: readonly RegistrationStatusDto[];
  readonly settings?: Partial<SettingsDto>;
  readonly calls?: readonly CallDto[];
  readonly history?: readonly CallHistoryEntryDto[];
  readonly contacts?: readonly ContactDto[];
  readonly buddies?: readonly BuddyPresenceDto[];
  readonly own?: readonly OwnPresenceDto[];
  readonly watchers?: readonly WatcherDto[];
  readonly conversations?: readonly ConversationDto[];
  /** Every stored message, any order; pages are served newest first. */
  readonly messages?: readonly MessageDto[];
}

export class FakeEngine implements Engine {
  info: AppInfoDto;
  accounts: AccountDto[];
  statuses: RegistrationStatusDto[];
  settings: SettingsDto;
  /** Calls under way, and the history newest first. */
  calls: CallDto[];
  history: CallHistoryEntryDto[];
  contacts: ContactDto[];
  buddies: BuddyPresenceDto[];
  own: OwnPresenceDto[];
  watchers: WatcherDto[];
  conversations: ConversationDto[];
  messages: MessageDto[];
  /** What `messages.setComposing` was told, in order. */
  readonly composing: { to: string; state: 'active' | 'idle' }[] = [];
  readonly router: CommandRouter;
  readonly events = { subscribe: (listener: EngineEventListener) => this.#subscribe(listener) };
  /** URIs handed to `openUri`, and how often `shutdown` ran. */
  readonly opened: string[] = [];
  shutdowns = 0;
  readonly #listeners = new Set<EngineEventListener>();
  readonly #overrides: { [C in CommandName]?: FakeCommandHandler<C> } = {};
  #nextId = 1;

  constructor(options: FakeEngineOptions = {}) {
    this.info = { ...defaultInfo, ...options.info };
    this.accounts = [...(options.accounts ?? [])];
    this.statuses = [...(options.statuses ?? [])];
    this.settings = { ...DEFAULT_SETTINGS, ...options.settings };
    this.calls = [...(options.calls ?? [])];
    this.history = [...(options.history ?? [])];
    this.contacts = [...(options.contacts ?? [])];
    this.buddies = [...(options.buddies ?? [])];
    this.own = [...(options.own ?? [])];
    this.watchers = [...(options.watchers ?? [])];
    this.conversations = [...(options.conversations ?? [])];
    this.messages = [...(options.messages ?? [])];
    const builtIn = this.#builtInHandlers();
    // Every command goes through the override when the test installed one, else the in-memory behaviour.
    const handlers = {} as Record<CommandName, (...args: never[]) => unknown>;
    for (const name of Object.keys(builtIn) as CommandName[]) {
      handlers[name] = (...args: never[]) => {
        const chosen = (this.#overrides[name] ?? builtIn[name]) as (...values: never[]) => unknown;
        return chosen(...args);
      };
    }
    this.router = new CommandRouter(handlers as unknown as CommandHandlers);
  }

  /** Replaces one command's behaviour; throw a ServiceError from it for an error Result. */
  override<C extends CommandName>(name: C, handler: FakeCommandHandler<C>): this {
    (this.#overrides as Record<string, unknown>)[name] = handler;
    return this;
  }

  emit<E extends EventName>(name: E, payload: Events[E]): void {
    for (const listener of [...this.#listeners]) listener(name, payload);
  }

  listenerCount(): number {
    return this.#listeners.size;
  }

  openUri(uri: string): void {
    this.opened.push(uri);
    this.emit('dialpad.open', { uri });
  }

  registrationSummary(): { registered: number; failing: number; total: number } {
    // As the real engine counts: accounts that never register are neither registered nor failing.
    const enabled = this.accounts.filter((item) => item.enabled && item.register);
    const stateOf = (id: string) => this.statuses.find((item) => item.accountId === id)?.state;
    return {
      total: enabled.length,
      registered: enabled.filter((item) => stateOf(item.id) === 'registered').length,
      failing: enabled.filter((item) => stateOf(item.id) === 'failed').length,
    };
  }

  async shutdown(): Promise<void> {
    this.shutdowns++;
  }

  #subscribe(listener: EngineEventListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  #builtInHandlers(): CommandHandlers {
    const find = (id: string): AccountDto => {
      const found = this.accounts.find((item) => item.id === id);
      if (!found) throw new ServiceError('not-found', `no account ${id}`);
      return found;
    };
    const replace = (updated: AccountDto) => {
      this.accounts = this.accounts.map((item) => (item.id === updated.id ? updated : item));
      this.emit('accounts.changed', this.accounts);
      return updated;
    };
    const findCall = (id: string): CallDto => {
      const found = this.calls.find((item) => item.id === id);
      if (!found) throw new ServiceError('not-found', `no call ${id}`);
      return found;
    };
    const changeCall = (id: string, changes: Partial<CallDto>): CallDto => {
      const changed = { ...findCall(id), ...changes };
      this.calls =
        changed.state === 'ended'
          ? this.calls.filter((item) => item.id !== id)
          : this.calls.map((item) => (item.id === id ? changed : item));
      this.emit('call.changed', changed);
      return changed;
    };
    const endCall = (id: string, reason: 'hangup' | 'rejected' | 'cancelled', status: number | null) => {
      changeCall(id, {
        state: 'ended',
        endedAt: 1_700_000_060_000,
        end: { by: 'local', reason, status, detail: null },
      });
      return null;
    };
    return {
      'app.info': () => this.info,
      'accounts.list': () => this.accounts,
      'accounts.create': (input) => {
        const created = toDto(`acc-${this.#nextId++}`, input, this.accounts.length, false);
        this.accounts = [...this.accounts, created];
        this.emit('accounts.changed', this.accounts);
        return created;
      },
      'accounts.update': (id, input) => {
        const old = find(id);
        return replace(toDto(id, input, old.order, old.hasPassword));
      },
      'accounts.delete': (id) => {
        find(id);
        this.accounts = this.accounts.filter((item) => item.id !== id);
        this.emit('accounts.changed', this.accounts);
        return null;
      },
      'accounts.setEnabled': (id, enabled) => replace({ ...find(id), enabled }),
      'accounts.setDoNotDisturb': (id, doNotDisturb) => replace({ ...find(id), doNotDisturb }),
      'accounts.reorder': (ids) => {
        const byId = new Map(this.accounts.map((item) => [item.id, item]));
        this.accounts = ids.flatMap((id, order) => {
          const found = byId.get(id);
          return found ? [{ ...found, order }] : [];
        });
        this.emit('accounts.changed', this.accounts);
        return this.accounts;
      },
      'accounts.registerNow': (id) => {
        find(id);
        return null;
      },
      'registration.list': () => this.statuses,
      'settings.get': () => this.settings,
      'settings.update': (patch) => {
        this.settings = { ...this.settings, ...patch };
        this.emit('settings.changed', this.settings);
        return this.settings;
      },
      'calls.dial': (request) => {
        const placed = call({
          id: `call-${this.#nextId++}`,
          accountId: request.accountId,
          peerUri: request.target,
        });
        this.calls = [...this.calls, placed];
        this.emit('call.changed', placed);
        return placed;
      },
      'calls.answer': (id) => changeCall(id, { state: 'connected', answeredAt: 1_700_000_001_000 }),
      'calls.reject': (id, status) => endCall(id, 'rejected', status),
      'calls.hangup': (id) => endCall(id, findCall(id).answeredAt === null ? 'cancelled' : 'hangup', null),
      'calls.hold': (id) => changeCall(id, { state: 'on-hold' }),
      'calls.resume': (id) => changeCall(id, { state: 'connected' }),
      'calls.mute': (id, muted) => changeCall(id, { muted }),
      'calls.sendDtmf': (id) => {
        findCall(id);
        return null;
      },
      'calls.transfer': (id) => {
        changeCall(id, { state: 'transferring' });
        return null;
      },
      'calls.list': () => this.calls,
      'history.list': ({ limit, before }) => {
        const older = before
          ? this.history.filter((entry) => entry.startedAt < before.startedAt)
          : this.history;
        const entries = older.slice(0, limit);
        const last = entries.at(-1);
        return {
          entries,
          next: older.length > limit && last ? { startedAt: last.startedAt, id: last.id } : null,
        };
      },
      'history.delete': (id) => {
        if (!this.history.some((entry) => entry.id === id))
          throw new ServiceError('not-found', `no entry ${id}`);
        this.history = this.history.filter((entry) => entry.id !== id);
        return null;
      },
      // Links are sent at once here (openUri emits), so none ever wait.
      'dialpad.ready': () => [],
      'history.clear': () => {
        this.history = [];
        return null;
      },
      ...this.#presenceHandlers(),
      ...this.#contactHandlers(),
      ...this.#messageHandlers(),
    };
  }

  #presenceHandlers(): Pick<CommandHandlers, `presence.${string}` & keyof CommandHandlers> {
    return {
      'presence.buddies': () => this.buddies,
      'presence.own': () => this.own,
      'presence.setStatus': ({ accountId, status, note }) => {
        this.own = this.own.map((item) => {
          if (accountId !== null && item.accountId !== accountId) return item;
          const changed = { ...item, status, note, published: status };
          this.emit('presence.changed', changed);
          return changed;
        });
        return this.own;
      },
      'presence.watchers': () => this.watchers,
      'presence.watchersSeen': () => {
        this.watchers = this.watchers.map((item) => ({ ...item, isNew: false }));
        this.emit('watchers.changed', this.watchers);
        return null;
      },
    };
  }

  #contactHandlers(): Pick<CommandHandlers, `contacts.${string}` & keyof CommandHandlers> {
    const find = (id: string): ContactDto => {
      const found = this.contacts.find((item) => item.id === id);
      if (!found) throw new ServiceError('not-found', `no contact ${id}`);
      return found;
    };
    const store = (saved: ContactDto): ContactDto => {
      const others = this.contacts.filter((item) => item.id !== saved.id);
      this.contacts = [...others, saved].sort((a, b) => a.name.localeCompare(b.name));
      this.emit('contacts.changed', { upserted: [saved], deleted: [] });
      return saved;
    };
    return {
      'contacts.list': () => this.contacts,
      'contacts.create': (input) =>
        store(fromContactInput(`contact-${this.#nextId++}`, input, 1_700_000_000_000)),
      'contacts.update': (id, input) => store(fromContactInput(id, input, find(id).createdAt)),
      'contacts.delete': (id) => {
        find(id);
        this.contacts = this.contacts.filter((item) => item.id !== id);
        this.emit('contacts.changed', { upserted: [], deleted: [id] });
        return null;
      },
      // The real parser lives in the engine; here each card's FN becomes a contact.
      'contacts.importVcard': (text) => {
        const names = [...text.matchAll(/^FN[^:]*:(.*)$/gim)].map((match) => (match[1] ?? '').trim());
        for (const name of names) {
          store(
            fromContactInput(
              `contact-${this.#nextId++}`,
              {
                name,
                sipAddresses: [],
                phoneNumbers: [],
                note: '',
                favorite: false,
                watchPresence: false,
                accountId: null,
              },
              1_700_000_000_000,
            ),
          );
        }
        return { imported: names.length, skipped: [] };
      },
      'contacts.exportVcard': (ids, version) =>
        this.contacts
          .filter((item) => ids === null || ids.includes(item.id))
          .map((item) => `BEGIN:VCARD\r\nVERSION:${version}\r\nFN:${item.name}\r\nEND:VCARD\r\n`)
          .join(''),
    };
  }

  #messageHandlers(): Pick<CommandHandlers, `messages.${string}` & keyof CommandHandlers> {
    const findConversation = (id: string): ConversationDto => {
      const found = this.conversations.find((item) => item.id === id);
      if (!found) throw new ServiceError('not-found', `no conversation ${id}`);
      return found;
    };
    const putConversation = (changed: ConversationDto): void => {
      this.conversations = [changed, ...this.conversations.filter((item) => item.id !== changed.id)].sort(
        (a, b) => b.updatedAt - a.updatedAt,
      );
      this.emit('conversation.changed', changed);
    };
    return {
      'messages.conversations': () => this.conversations,
      'messages.list': ({ conversationId, limit, before }) => {
        findConversation(conversationId);
        const thread = this.messages
          .filter((item) => item.conversationId === conversationId)
          .filter((item) => before === null || item.sentAt < before.sentAt)
          .sort((a, b) => b.sentAt - a.sentAt);
        const messages = thread.slice(0, limit);
        const last = messages.at(-1);
        return {
          messages,
          next: thread.length > limit && last ? { sentAt: last.sentAt, id: last.id } : null,
        };
      },
      'messages.send': ({ accountId, to, body }) => {
        const existing = this.conversations.find(
          (item) => item.peerUri === to && item.accountId === accountId,
        );
        const conversationId = existing?.id ?? `conversation-${this.#nextId++}`;
        const sentAt = 1_700_000_100_000 + this.#nextId;
        const sent = message({
          id: `message-${this.#nextId++}`,
          conversationId,
          direction: 'outgoing',
          body,
          sentAt,
          deliveredAt: null,
          delivery: 'sending',
        });
        this.messages = [...this.messages, sent];
        putConversation(
          conversation({
            ...existing,
            id: conversationId,
            accountId,
            peerUri: to,
            lastMessage: sent,
            updatedAt: sentAt,
          }),
        );
        this.emit('message.changed', sent);
        return sent;
      },
      'messages.retry': (id) => {
        const found = this.messages.find((item) => item.id === id);
        if (!found) throw new ServiceError('not-found', `no message ${id}`);
        const again = { ...found, delivery: 'sending' as const, failure: null };
        this.messages = this.messages.map((item) => (item.id === id ? again : item));
        this.emit('message.changed', again);
        return again;
      },
      'messages.markRead': (id) => {
        putConversation({ ...findConversation(id), unread: 0 });
        return null;
      },
      'messages.setComposing': ({ to, state }) => {
        this.composing.push({ to, state });
        return null;
      },
      'messages.search': ({ text, limit }) => {
        const words = text.toLowerCase().split(/\s+/).filter(Boolean);
        return this.messages
          .filter((item) => words.every((word) => item.body.toLowerCase().includes(word)))
          .slice(0, limit)
          .map((item) => ({ message: item, conversation: findConversation(item.conversationId) }));
      },
      'messages.deleteConversation': (id) => {
        findConversation(id);
        this.conversations = this.conversations.filter((item) => item.id !== id);
        this.messages = this.messages.filter((item) => item.conversationId !== id);
        this.emit('conversation.removed', { id });
        return null;
      },
    };
  }
}

function fromContactInput(id: string, input: ContactInput, createdAt: number): ContactDto {
  return { ...input, id, createdAt, updatedAt: 1_700_000_000_000 };
}

function toDto(id: string, input: AccountInput, order: number, hadPassword: boolean): AccountDto {
  const { password, ...fields } = input;
  return {
    ...fields,
    register: input.register ?? DEFAULT_REGISTER,
    codecs: [...(input.codecs ?? DEFAULT_CODECS)],
    earlyMedia: input.earlyMedia ?? DEFAULT_EARLY_MEDIA,
    doNotDisturb: input.doNotDisturb ?? DEFAULT_DO_NOT_DISTURB,
    presenceListUri: input.presenceListUri ?? null,
    id,
    order,
    hasPassword: hadPassword || (password !== undefined && password !== null && password !== ''),
  };
}
