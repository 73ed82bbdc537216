// The one stand-in for the engine in every test that sits above it (web host, Electron shell, window components):
// in-memory accounts, registrations and settings behind the real CommandRouter, so arguments are validated by the
// contract's real schemas and every handler is typed by the contract. A test changes one command's behaviour with
// `override`, fires events with `emit`, and reads or replaces the state directly.
import type {
  AccountDto,
  AccountInput,
  AppInfoDto,
  CallDto,
  CallHistoryEntryDto,
  CommandArgs,
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
}

export class FakeEngine implements Engine {
  info: AppInfoDto;
  accounts: AccountDto[];
  statuses: RegistrationStatusDto[];
  settings: SettingsDto;
  /** Calls under way, and the history newest first. */
  calls: CallDto[];
  history: CallHistoryEntryDto[];
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
    };
  }
}

function toDto(id: string, input: AccountInput, order: number, hadPassword: boolean): AccountDto {
  const { password, ...fields } = input;
  return {
    ...fields,
    register: input.register ?? DEFAULT_REGISTER,
    codecs: [...(input.codecs ?? DEFAULT_CODECS)],
    earlyMedia: input.earlyMedia ?? DEFAULT_EARLY_MEDIA,
    doNotDisturb: input.doNotDisturb ?? DEFAULT_DO_NOT_DISTURB,
    id,
    order,
    hasPassword: hadPassword || (password !== undefined && password !== null && password !== ''),
  };
}
