// Accounts: stored settings, their passwords (encrypted at rest), and their live registrations. Every change to an
// account goes through here, serialized per account so that an edit arriving mid-registration cannot interleave.
import type { AccountDto, AccountInput, RegistrationStatusDto } from '../ipc/contract';
import type { Logger } from '../platform/logger';
import { type SipUri, isSipUri, parseUri } from '../sip/message/uri';
import { type NameResolver, resolveNextHop } from '../ua/next-hop';
import { registrarOf } from '../ua/registration/registerer';
import type { Account } from '../ua/user-agent';
import type {
  AccountChanges,
  AccountRecord,
  AccountsRepository,
  NewAccount,
} from '../store/accounts-repository';
import type { EventHub } from './event-hub';
import { disabledStatus, passwordUnavailableStatus, statusFromState } from './registration-status';
import { ServiceError } from './service-error';
import type { UserAgentPool } from './user-agent-pool';

/** What the service needs from storage (the SQLite AccountsRepository). */
export type AccountStore = Pick<
  AccountsRepository,
  'list' | 'get' | 'insert' | 'update' | 'delete' | 'reorder' | 'getPassword'
>;

export interface PasswordCipher {
  encrypt(plain: string): Buffer;
  decrypt(data: Buffer): string;
}

export interface AccountServiceDeps {
  readonly store: AccountStore;
  readonly cipher: PasswordCipher;
  readonly agents: UserAgentPool;
  readonly events: EventHub;
  readonly resolver: NameResolver;
  /** The local address the OS uses towards a remote one. */
  readonly localAddressFor: (remote: string) => Promise<string>;
  readonly logger: Logger;
  /** Bound on how long unregistering may take when an account is disabled, edited or deleted. */
  readonly unregisterTimeoutMs?: number;
}

interface Live {
  readonly account: Account;
  readonly detach: () => void;
}

export class AccountService {
  readonly #deps: AccountServiceDeps;
  readonly #live = new Map<string, Live>();
  readonly #statuses = new Map<string, RegistrationStatusDto>();
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(deps: AccountServiceDeps) {
    this.#deps = deps;
  }

  list(): AccountDto[] {
    return this.#deps.store.list().map(toDto);
  }

  registrations(): RegistrationStatusDto[] {
    return this.#deps.store.list().map((record) => this.#statusOf(record));
  }

  summary(): { registered: number; failing: number; total: number } {
    const statuses = this.registrations().filter((status) => status.state !== 'disabled');
    return {
      total: statuses.length,
      registered: statuses.filter((status) => status.state === 'registered').length,
      failing: statuses.filter((status) => status.state === 'failed').length,
    };
  }

  /** Starts every enabled account (at engine start). */
  async startAll(): Promise<void> {
    await Promise.all(
      this.#deps.store
        .list()
        .filter((record) => record.enabled)
        .map((record) => this.#serial(record.id, () => this.#start(record))),
    );
  }

  async create(input: AccountInput): Promise<AccountDto> {
    const record = this.#deps.store.insert(this.#newAccount(input));
    this.#announceAccounts();
    this.#setStatus(
      record.id,
      record.enabled ? statusFromState(record.id, { name: 'unregistered' }) : disabledStatus(record.id),
    );
    if (record.enabled) await this.#serial(record.id, () => this.#start(record));
    return toDto(record);
  }

  async update(id: string, input: AccountInput): Promise<AccountDto> {
    return this.#serial(id, async () => {
      this.#require(id);
      const updated = this.#deps.store.update(id, this.#changes(input));
      if (!updated) throw new ServiceError('not-found', 'That account no longer exists.');
      this.#announceAccounts();
      await this.#stop(id);
      if (updated.enabled) await this.#start(updated);
      else this.#setStatus(id, disabledStatus(id));
      return toDto(updated);
    });
  }

  async setEnabled(id: string, enabled: boolean): Promise<AccountDto> {
    return this.#serial(id, async () => {
      this.#require(id);
      const updated = this.#deps.store.update(id, { enabled });
      if (!updated) throw new ServiceError('not-found', 'That account no longer exists.');
      this.#announceAccounts();
      if (enabled) {
        if (!this.#live.has(id)) await this.#start(updated);
      } else {
        await this.#stop(id);
        this.#setStatus(id, disabledStatus(id));
      }
      return toDto(updated);
    });
  }

  async delete(id: string): Promise<null> {
    return this.#serial(id, async () => {
      this.#require(id);
      await this.#stop(id);
      this.#deps.store.delete(id);
      this.#statuses.delete(id);
      this.#deps.events.emit('registration.changed', { ...statusFromState(id, { name: 'unregistered' }) });
      this.#announceAccounts();
      return null;
    });
  }

  reorder(ids: readonly string[]): AccountDto[] {
    const known = new Set(this.#deps.store.list().map((record) => record.id));
    if (ids.length !== known.size || ids.some((id) => !known.has(id)))
      throw new ServiceError('invalid-argument', 'The new order must list every account exactly once.');
    this.#deps.store.reorder(ids);
    this.#announceAccounts();
    return this.list();
  }

  async registerNow(id: string): Promise<null> {
    return this.#serial(id, async () => {
      const record = this.#require(id);
      if (!record.enabled) throw new ServiceError('conflict', 'Enable the account first.');
      const live = this.#live.get(id);
      if (live) live.account.registerer.register();
      else await this.#start(record);
      return null;
    });
  }

  /** Unregisters every account (bounded) — the engine closes the sockets afterwards. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.#live.keys()].map((id) => this.#stop(id)));
  }

  async #start(record: AccountRecord): Promise<void> {
    const aor = parseSip(record.aor, 'aor');
    const proxy = record.outboundProxy ? parseSip(record.outboundProxy, 'outboundProxy') : undefined;
    let password: string;
    try {
      const stored = this.#deps.store.getPassword(record.id);
      password = stored ? this.#deps.cipher.decrypt(stored) : '';
    } catch (error) {
      this.#setStatus(
        record.id,
        passwordUnavailableStatus(record.id, String(error instanceof Error ? error.message : error)),
      );
      return;
    }
    let localAddress: string;
    try {
      const hop = await resolveNextHop(registrarOf(aor), proxy, record.transport, this.#deps.resolver);
      localAddress = await this.#deps.localAddressFor(hop.address);
    } catch (error) {
      this.#setStatus(
        record.id,
        statusFromState(record.id, {
          name: 'failed',
          reason: 'unreachable',
          detail: `cannot find the server: ${error instanceof Error ? error.message : String(error)}`,
        }),
      );
      return;
    }
    const ua = await this.#deps.agents.get(localAddress);
    const account = ua.addAccount({
      aor,
      password,
      transport: record.transport,
      expires: record.expires,
      ...(record.displayName ? { displayName: record.displayName } : {}),
      ...(record.authUser ? { authUser: record.authUser } : {}),
      ...(proxy ? { outboundProxy: proxy } : {}),
      instanceId: `urn:uuid:${record.id}`,
    });
    const detach = account.registerer.onStateChanged((state) =>
      this.#setStatus(record.id, statusFromState(record.id, state)),
    );
    this.#live.set(record.id, {
      account,
      detach: () => {
        detach();
        void ua.removeAccount(account.id, 0);
      },
    });
    account.registerer.register();
  }

  async #stop(id: string): Promise<void> {
    const live = this.#live.get(id);
    if (!live) return;
    this.#live.delete(id);
    await live.account.registerer.unregister(this.#deps.unregisterTimeoutMs ?? 4_000);
    live.detach();
    this.#setStatus(id, statusFromState(id, { name: 'unregistered' }));
  }

  #newAccount(input: AccountInput): NewAccount {
    const password =
      typeof input.password === 'string' && input.password.length > 0 ? input.password : undefined;
    return { ...this.#plainFields(input), password: password ? this.#deps.cipher.encrypt(password) : null };
  }

  /** An update keeps the stored password unless a new one is given. */
  #changes(input: AccountInput): AccountChanges {
    const fields = this.#plainFields(input);
    if (typeof input.password === 'string' && input.password.length > 0)
      return { ...fields, password: this.#deps.cipher.encrypt(input.password) };
    return fields;
  }

  #plainFields(input: AccountInput) {
    return {
      displayName: input.displayName.trim(),
      aor: input.aor.trim(),
      authUser: input.authUser?.trim() || null,
      outboundProxy: input.outboundProxy?.trim() || null,
      transport: input.transport,
      expires: input.expires,
      enabled: input.enabled,
    };
  }

  #require(id: string): AccountRecord {
    const record = this.#deps.store.get(id);
    if (!record) throw new ServiceError('not-found', 'That account no longer exists.');
    return record;
  }

  #statusOf(record: AccountRecord): RegistrationStatusDto {
    if (!record.enabled) return disabledStatus(record.id);
    return this.#statuses.get(record.id) ?? statusFromState(record.id, { name: 'unregistered' });
  }

  #setStatus(id: string, status: RegistrationStatusDto): void {
    this.#statuses.set(id, status);
    this.#deps.events.emit('registration.changed', status);
  }

  #announceAccounts(): void {
    this.#deps.events.emit('accounts.changed', this.list());
  }

  /** Runs operations on one account one after another. */
  #serial<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.#queues.set(id, tail);
    void tail.then(() => {
      if (this.#queues.get(id) === tail) this.#queues.delete(id);
    });
    return next;
  }
}

function parseSip(text: string, field: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok || !isSipUri(parsed.value))
    throw new ServiceError('invalid-argument', `${text} is not a SIP URI`, { field });
  return parsed.value;
}

function toDto(record: AccountRecord): AccountDto {
  return {
    id: record.id,
    displayName: record.displayName,
    aor: record.aor,
    authUser: record.authUser,
    outboundProxy: record.outboundProxy,
    transport: record.transport,
    expires: record.expires,
    // Stand-in until the engine's own version of these three fields is merged.
    registrar: null,
    keepAliveSeconds: 0,
    keepAliveKind: 'crlf',
    enabled: record.enabled,
    order: record.order,
    hasPassword: record.hasPassword,
  };
}
