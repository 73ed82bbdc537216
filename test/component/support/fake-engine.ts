// An in-memory engine behind a FakeBridge: accounts, registrations and settings that behave like the real
// services (ids, order, hasPassword, change events), so views can be driven end to end inside jsdom.
import type {
  AccountDto,
  AccountInput,
  AppInfoDto,
  RegistrationStatusDto,
  SettingsDto,
} from '../../../main/ipc/contract';
import { FakeBridge } from './fake-bridge';

export const defaultInfo: AppInfoDto = {
  version: '0.1.0',
  host: 'web',
  storageError: null,
  passwordProtection: 'Encrypted with a key kept in the data folder (test).',
};

export function account(overrides: Partial<AccountDto> & Pick<AccountDto, 'id'>): AccountDto {
  return {
    displayName: '',
    aor: `sip:${overrides.id}@127.0.0.1`,
    authUser: null,
    outboundProxy: null,
    transport: 'udp',
    expires: 3600,
    registrar: null,
    keepAliveSeconds: 0,
    keepAliveKind: 'crlf',
    enabled: true,
    order: 0,
    hasPassword: true,
    ...overrides,
  };
}

export function status(
  overrides: Partial<RegistrationStatusDto> & Pick<RegistrationStatusDto, 'accountId' | 'state'>,
): RegistrationStatusDto {
  return {
    expires: null,
    failure: null,
    summary: null,
    detail: null,
    status: null,
    retryInMs: null,
    ...overrides,
  };
}

export const wrongPassword = (accountId: string): RegistrationStatusDto =>
  status({
    accountId,
    state: 'failed',
    failure: 'bad-credentials',
    summary: 'The password was not accepted.',
    detail: '401 Unauthorized',
    status: 401,
  });

export interface FakeEngineOptions {
  readonly info?: Partial<AppInfoDto>;
  readonly accounts?: readonly AccountDto[];
  readonly statuses?: readonly RegistrationStatusDto[];
  readonly settings?: Partial<SettingsDto>;
}

export class FakeEngine {
  readonly bridge = new FakeBridge();
  info: AppInfoDto;
  accounts: AccountDto[];
  statuses: RegistrationStatusDto[];
  settings: SettingsDto;
  #nextId = 1;

  constructor(options: FakeEngineOptions = {}) {
    this.info = { ...defaultInfo, ...options.info };
    this.accounts = [...(options.accounts ?? [])];
    this.statuses = [...(options.statuses ?? [])];
    this.settings = { theme: 'system', sipPort: 0, ...options.settings };
    const { bridge } = this;
    bridge.handle('app.info', () => ({ ok: true, value: this.info }));
    bridge.handle('accounts.list', () => ({ ok: true, value: this.accounts }));
    bridge.handle('registration.list', () => ({ ok: true, value: this.statuses }));
    bridge.handle('settings.get', () => ({ ok: true, value: this.settings }));
    bridge.handle('settings.update', (patch) => {
      this.settings = { ...this.settings, ...patch };
      bridge.emit('settings.changed', this.settings);
      return { ok: true, value: this.settings };
    });
    bridge.handle('accounts.create', (input) => {
      const created = this.#toDto(`acc-${this.#nextId++}`, input, this.accounts.length, false);
      this.accounts = [...this.accounts, created];
      bridge.emit('accounts.changed', this.accounts);
      return { ok: true, value: created };
    });
    bridge.handle('accounts.update', (id, input) => {
      const old = this.accounts.find((a) => a.id === id);
      if (!old) return { ok: false, error: { code: 'not-found', message: 'No such account.' } };
      const updated = this.#toDto(id, input, old.order, old.hasPassword);
      this.accounts = this.accounts.map((a) => (a.id === id ? updated : a));
      bridge.emit('accounts.changed', this.accounts);
      return { ok: true, value: updated };
    });
    bridge.handle('accounts.delete', (id) => {
      this.accounts = this.accounts.filter((a) => a.id !== id);
      bridge.emit('accounts.changed', this.accounts);
      return { ok: true, value: null };
    });
    bridge.handle('accounts.setEnabled', (id, enabled) => {
      const old = this.accounts.find((a) => a.id === id);
      if (!old) return { ok: false, error: { code: 'not-found', message: 'No such account.' } };
      const updated = { ...old, enabled };
      this.accounts = this.accounts.map((a) => (a.id === id ? updated : a));
      bridge.emit('accounts.changed', this.accounts);
      return { ok: true, value: updated };
    });
    bridge.handle('accounts.registerNow', () => ({ ok: true, value: null }));
  }

  #toDto(id: string, input: AccountInput, order: number, hadPassword: boolean): AccountDto {
    return {
      id,
      displayName: input.displayName,
      aor: input.aor,
      authUser: input.authUser,
      outboundProxy: input.outboundProxy,
      transport: input.transport,
      expires: input.expires,
      registrar: input.registrar,
      keepAliveSeconds: input.keepAliveSeconds,
      keepAliveKind: input.keepAliveKind,
      enabled: input.enabled,
      order,
      hasPassword: hadPassword || (input.password !== undefined && input.password !== null),
    };
  }
}
