// Accounts: stored settings, their passwords (encrypted at rest), and their live registrations. Every change to an
// account goes through here, serialized per account so that an edit arriving mid-registration cannot interleave.
// Removing an account always completes: unregistering is best effort (bounded, and a throw is logged), the account
// leaves the store and its user agent whatever the network or the user agent did.
import type { AccountDto, AccountInput, RegistrationStatusDto } from '../contract/contract';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import { type SipUri, isSipUri, parseUri } from '../sip/message/uri';
import { type NameResolver, resolveNextHop } from '../ua/next-hop';
import { registrarOf } from '../ua/registration/registerer';
import type { Account, AccountConfig } from '../ua/user-agent';
import type {
  AccountChanges,
  AccountRecord,
  AccountsRepository,
  NewAccount,
} from '../store/accounts-repository';
import type { EventHub } from './event-hub';
import {
  disabledStatus,
  notRegisteringStatus,
  passwordUnavailableStatus,
  statusFromState,
  unreachableStatus,
} from './registration-status';
import { ServiceError } from './service-error';

/** The user agents accounts run on, one per local address (UserAgentPool). */
export interface AgentPool {
  get(localAddress: string): Promise<AgentHost>;
}

/** What the service needs of one user agent. */
export interface AgentHost {
  addAccount(config: AccountConfig): Account;
  removeAccount(id: string, timeoutMs?: number): Promise<void>;
}

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
  readonly agents: AgentPool;
  readonly events: EventHub;
  /** Bounds unregistering even when the user agent's own bound fails. */
  readonly clock: Clock;
  readonly resolver: NameResolver;
  /** The local address the OS uses towards a remote one. */
  readonly localAddressFor: (remote: string) => Promise<string>;
  readonly logger: Logger;
  /** Bound on how long unregistering may take when an account is disabled, edited or deleted. */
  readonly unregisterTimeoutMs?: number;
}

interface Live {
  readonly account: Account;
  readonly ua: AgentHost;
  readonly detach: () => void;
}

export class AccountService {
  readonly #deps: AccountServiceDeps;
  readonly #live = new Map<string, Live>();
  /** The latest status of each account and when it was set (clock.now()), to age its retryInMs when listed. */
  readonly #statuses = new Map<string, { readonly status: RegistrationStatusDto; readonly at: number }>();
  readonly #queues = new Map<string, Promise<unknown>>();
  /** Set by stopAll: the engine is shutting down and no account may start. */
  #stopped = false;

  constructor(deps: AccountServiceDeps) {
    this.#deps = deps;
  }

  /** The running account with this id: its user agent and its account there (calls are placed from it). */
  live(id: string): { readonly ua: AgentHost; readonly account: Account } | undefined {
    const live = this.#live.get(id);
    return live === undefined ? undefined : { ua: live.ua, account: live.account };
  }

  /** The id of the running account behind a user agent's account (incoming calls name their account by it). */
  idOf(account: Account): string | undefined {
    for (const [id, live] of this.#live) if (live.account === account) return id;
    return undefined;
  }

  list(): AccountDto[] {
    return this.#deps.store.list().map(toDto);
  }

  registrations(): RegistrationStatusDto[] {
    return this.#deps.store.list().map((record) => this.#statusOf(record));
  }

  summary(): { registered: number; failing: number; total: number } {
    // An account that never registers has nothing to count: it is neither registered nor failing.
    const statuses = this.registrations().filter(
      (status) => status.state !== 'disabled' && status.state !== 'not-registering',
    );
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
    this.#check(input, null);
    const record = this.#deps.store.insert(this.#newAccount(input));
    this.#announceAccounts();
    this.#setStatus(record.id, this.#idleStatus(record));
    if (record.enabled) await this.#serial(record.id, () => this.#start(record));
    return toDto(record);
  }

  async update(id: string, input: AccountInput): Promise<AccountDto> {
    return this.#serial(id, async () => {
      this.#require(id);
      this.#check(input, id);
      const updated = this.#deps.store.update(id, this.#changes(input));
      if (!updated) throw new ServiceError('not-found', 'That account no longer exists.');
      this.#announceAccounts();
      await this.#stop(id);
      if (updated.enabled) await this.#start(updated);
      else this.#setStatus(id, disabledStatus(id));
      return toDto(updated);
    });
  }

  /** Stores do-not-disturb and says so; the registration goes on untouched (incoming INVITEs read the store). */
  async setDoNotDisturb(id: string, on: boolean): Promise<AccountDto> {
    return this.#serial(id, async () => {
      this.#require(id);
      const updated = this.#deps.store.update(id, { doNotDisturb: on });
      if (!updated) throw new ServiceError('not-found', 'That account no longer exists.');
      this.#announceAccounts();
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
      // #stop never throws: whatever unregistering does, the account is removed.
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
      if (!record.register)
        throw new ServiceError('conflict', 'The account is set not to register.', { field: 'register' });
      const live = this.#live.get(id);
      if (live) live.account.registerer.register();
      else await this.#start(record);
      return null;
    });
  }

  /**
   * Unregisters every account (bounded) — the engine closes the sockets afterwards. Each account's stop waits its turn
   * behind whatever that account is doing, and nothing starts afterwards, so a start still under way at shutdown
   * cannot leave a registration behind.
   */
  async stopAll(): Promise<void> {
    this.#stopped = true;
    const ids = new Set([...this.#live.keys(), ...this.#queues.keys()]);
    await Promise.all([...ids].map((id) => this.#serial(id, () => this.#stop(id))));
  }

  async #start(record: AccountRecord): Promise<void> {
    if (this.#stopped) return;
    const aor = parseSip(record.aor, 'aor');
    const proxy = record.outboundProxy ? parseSip(record.outboundProxy, 'outboundProxy') : undefined;
    const registrar = record.registrar ? parseSip(record.registrar, 'registrar') : undefined;
    let password: string;
    try {
      const stored = this.#deps.store.getPassword(record.id);
      password = stored ? this.#deps.cipher.decrypt(stored) : '';
    } catch (error) {
      this.#setStatus(record.id, passwordUnavailableStatus(record.id, messageOf(error)));
      return;
    }
    let localAddress: string;
    let server: string;
    try {
      const hop = await resolveNextHop(
        registrar ?? registrarOf(aor),
        proxy,
        record.transport,
        this.#deps.resolver,
      );
      server = hop.address.includes(':') ? `[${hop.address}]:${hop.port}` : `${hop.address}:${hop.port}`;
      localAddress = await this.#deps.localAddressFor(hop.address);
    } catch (error) {
      this.#setStatus(record.id, unreachableStatus(record.id, `cannot find the server: ${messageOf(error)}`));
      return;
    }
    let ua: AgentHost;
    try {
      ua = await this.#deps.agents.get(localAddress);
      if (this.#stopped) return;
    } catch (error) {
      // No socket on that address (port taken, address gone): a status to show, not a failed command.
      this.#setStatus(
        record.id,
        unreachableStatus(record.id, `cannot open a SIP socket on ${localAddress}: ${messageOf(error)}`),
      );
      return;
    }
    const account = ua.addAccount({
      aor,
      password,
      transport: record.transport,
      expires: record.expires,
      ...(record.displayName ? { displayName: record.displayName } : {}),
      ...(record.authUser ? { authUser: record.authUser } : {}),
      ...(proxy ? { outboundProxy: proxy } : {}),
      ...(registrar ? { registrar } : {}),
      ...(record.keepAliveSeconds > 0
        ? { keepAlive: { kind: record.keepAliveKind, intervalMs: record.keepAliveSeconds * 1000 } }
        : {}),
      instanceId: `urn:uuid:${record.id}`,
    });
    const context = { hasPassword: password !== '', server };
    const detach = account.registerer.onStateChanged((state) => {
      // Removing a trunk account "unregisters" it without a request; that is not news for the window.
      if (record.register) this.#setStatus(record.id, statusFromState(record.id, state, context));
    });
    this.#live.set(record.id, { account, detach, ua });
    // A trunk account is live (its user agent places and takes its calls) but never sends a REGISTER.
    if (record.register) account.registerer.register();
    else this.#setStatus(record.id, notRegisteringStatus(record.id, server));
  }

  /** Unregisters (bounded) and forgets the live account. Never throws and never waits past the bound. */
  async #stop(id: string): Promise<void> {
    const live = this.#live.get(id);
    if (!live) return;
    this.#live.delete(id);
    const timeoutMs = this.#deps.unregisterTimeoutMs ?? 4_000;
    try {
      await this.#bounded(live.ua.removeAccount(live.account.id, timeoutMs), timeoutMs + 500);
    } catch (error) {
      this.#deps.logger.log('warn', 'unregistering an account failed; removing it anyway', {
        account: id,
        error: messageOf(error),
      });
    } finally {
      live.detach();
    }
    this.#setStatus(id, statusFromState(id, { name: 'unregistered' }));
  }

  /** Resolves when `work` settles or after `ms`, whichever comes first; rejects only if `work` rejects first. */
  #bounded(work: Promise<void>, ms: number): Promise<void> {
    const { clock } = this.#deps;
    let timer: ReturnType<Clock['setTimer']> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = clock.setTimer(ms, () => {
        this.#deps.logger.log('warn', 'unregistering did not finish in time; removing the account anyway');
        resolve();
      });
    });
    return Promise.race([work, deadline]).finally(() => clock.clearTimer(timer));
  }

  /** Refuses what the schema cannot judge: URIs by the SIP grammar, and a second account for the same binding. */
  #check(input: AccountInput, id: string | null): void {
    const aor = input.aor.trim();
    const proxy = input.outboundProxy?.trim() || null;
    const key = bindingKey(parseSip(aor, 'aor'), proxy ? parseSip(proxy, 'outboundProxy') : null);
    if (input.registrar) parseSip(input.registrar.trim(), 'registrar');
    if (input.presenceListUri) parseSip(input.presenceListUri.trim(), 'presenceListUri');
    const twin = this.#deps.store.list().find((record) => record.id !== id && storedKey(record) === key);
    // Two accounts with one address and one first hop would share a binding: unregistering one would remove the
    // other's (RFC 3261 §10.2.2 matches bindings by Contact), and each would fight the other's refreshes.
    if (twin)
      throw new ServiceError('conflict', `An account for ${aor} through the same proxy already exists.`, {
        field: 'aor',
      });
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

  /** The input's fields; call settings left out stay out, so an update keeps them and a create takes defaults. */
  #plainFields(input: AccountInput): AccountChanges & Omit<NewAccount, 'password'> {
    return {
      ...(input.register !== undefined ? { register: input.register } : {}),
      ...(input.codecs !== undefined ? { codecs: [...input.codecs] } : {}),
      ...(input.earlyMedia !== undefined ? { earlyMedia: input.earlyMedia } : {}),
      ...(input.doNotDisturb !== undefined ? { doNotDisturb: input.doNotDisturb } : {}),
      ...(input.presenceListUri !== undefined
        ? { presenceListUri: input.presenceListUri?.trim() || null }
        : {}),
      displayName: input.displayName.trim(),
      aor: input.aor.trim(),
      authUser: input.authUser?.trim() || null,
      outboundProxy: input.outboundProxy?.trim() || null,
      registrar: input.registrar?.trim() || null,
      transport: input.transport,
      expires: input.expires,
      keepAliveSeconds: input.keepAliveSeconds,
      keepAliveKind: input.keepAliveKind,
      enabled: input.enabled,
    };
  }

  #require(id: string): AccountRecord {
    const record = this.#deps.store.get(id);
    if (!record) throw new ServiceError('not-found', 'That account no longer exists.');
    return record;
  }

  /** What an account shows before its user agent says anything. */
  #idleStatus(record: AccountRecord): RegistrationStatusDto {
    if (!record.enabled) return disabledStatus(record.id);
    return record.register
      ? statusFromState(record.id, { name: 'unregistered' })
      : notRegisteringStatus(record.id);
  }

  #statusOf(record: AccountRecord): RegistrationStatusDto {
    const latest = this.#statuses.get(record.id);
    if (!record.enabled || !latest) return this.#idleStatus(record);
    const { status, at } = latest;
    if (status.retryInMs === null) return status;
    // retryInMs counts from when a status is sent: a status listed later says what is left of the wait.
    const left = Math.max(0, status.retryInMs - (this.#deps.clock.now() - at));
    return { ...status, retryInMs: left };
  }

  #setStatus(id: string, status: RegistrationStatusDto): void {
    this.#statuses.set(id, { status, at: this.#deps.clock.now() });
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

/**
 * What makes two accounts one binding: the address and the first hop, compared as RFC 3261 §19.1.4 compares URIs
 * in the parts that matter here (scheme and host case-insensitive, user exact, port as written).
 */
function bindingKey(aor: SipUri, proxy: SipUri | null): string {
  const part = (uri: SipUri) => `${uri.scheme}:${uri.user ?? ''}@${uri.host.toLowerCase()}:${uri.port ?? ''}`;
  return `${part(aor)} via ${proxy ? part(proxy) : 'none'}`;
}

/** The binding key of a stored account; an unparsable one (never saved by this version) matches nothing. */
function storedKey(record: AccountRecord): string | null {
  const aor = parseUri(record.aor);
  const proxy = record.outboundProxy ? parseUri(record.outboundProxy) : null;
  if (!aor.ok || !isSipUri(aor.value)) return null;
  if (proxy && (!proxy.ok || !isSipUri(proxy.value))) return null;
  return bindingKey(aor.value, proxy?.ok && isSipUri(proxy.value) ? proxy.value : null);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function parseSip(text: string, field: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok || !isSipUri(parsed.value))
    throw new ServiceError('invalid-argument', `${text} is not a SIP URI`, { field });
  if (field === 'aor' && parsed.value.user === undefined)
    throw new ServiceError('invalid-argument', `${text} has no user part`, { field });
  return parsed.value;
}

function toDto(record: AccountRecord): AccountDto {
  return {
    id: record.id,
    displayName: record.displayName,
    aor: record.aor,
    authUser: record.authUser,
    outboundProxy: record.outboundProxy,
    registrar: record.registrar,
    transport: record.transport,
    expires: record.expires,
    keepAliveSeconds: record.keepAliveSeconds,
    keepAliveKind: record.keepAliveKind,
    enabled: record.enabled,
    register: record.register,
    codecs: [...record.codecs],
    earlyMedia: record.earlyMedia,
    doNotDisturb: record.doNotDisturb,
    presenceListUri: record.presenceListUri,
    order: record.order,
    hasPassword: record.hasPassword,
  };
}
