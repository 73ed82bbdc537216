// A stand-in for the preload's `window.softphone`, injected into the page by preview.ts. It runs in the browser,
// serialised by Playwright, so it must be self-contained: no imports, nothing from the enclosing module.

export type Scenario = 'accounts' | 'empty' | 'storage-error';

export function fakeSoftphone(scenario: Scenario): void {
  type Listener = (payload: unknown) => void;
  type Account = {
    id: string;
    displayName: string;
    aor: string;
    authUser: string | null;
    outboundProxy: string | null;
    registrar: string | null;
    transport: 'udp' | 'tcp';
    expires: number;
    keepAliveSeconds: number;
    keepAliveKind: 'crlf' | 'options';
    enabled: boolean;
    order: number;
    hasPassword: boolean;
  };
  type Status = {
    accountId: string;
    state: string;
    expires: number | null;
    failure: string | null;
    detail: string | null;
    status: number | null;
    retryInMs: number | null;
    lastFailure: { failure: string; detail: string; status: number | null } | null;
    server: string | null;
  };

  const listeners = new Map<string, Set<Listener>>();
  const emit = (event: string, payload: unknown) => {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  };
  const ok = (value: unknown) => Promise.resolve({ ok: true, value });
  const make = (id: string, displayName: string, aor: string, order: number, enabled = true): Account => ({
    id,
    displayName,
    aor,
    authUser: null,
    outboundProxy: 'sip:192.0.2.10:5060',
    registrar: null,
    transport: 'udp',
    expires: 600,
    keepAliveSeconds: 0,
    keepAliveKind: 'crlf',
    enabled,
    order,
    hasPassword: true,
  });
  const plain = (accountId: string, state: string, extra: Partial<Status> = {}): Status => ({
    accountId,
    state,
    expires: null,
    failure: null,
    detail: null,
    status: null,
    retryInMs: null,
    lastFailure: null,
    server: null,
    ...extra,
  });
  const wrongPassword = (accountId: string) =>
    plain(accountId, 'failed', {
      failure: 'bad-credentials',
      detail: '401 Unauthorized from 192.0.2.10:5060',
      server: '192.0.2.10:5060',
      status: 401,
      retryInMs: 60_000,
    });

  let accounts: Account[] =
    scenario === 'accounts'
      ? [
          make('a', 'Office', 'sip:alice@pbx.example.com', 0),
          make('b', 'Home', 'sip:alice.home@voip.example.net', 1),
          make('c', 'Lab', 'sip:lab-7@192.0.2.10', 2),
          make('d', 'Old provider', 'sip:4471234@old.example.org', 3, false),
        ]
      : [];
  const statuses: Status[] =
    scenario === 'accounts'
      ? [
          plain('a', 'registered', { expires: 3600 }),
          wrongPassword('b'),
          plain('c', 'registering'),
          plain('d', 'disabled'),
        ]
      : [];
  let settings = { theme: 'system', sipPort: 0 };
  let nextId = 1;

  const changed = () => emit('accounts.changed', accounts);
  const register = (id: string) => {
    emit('registration.changed', plain(id, 'registering'));
    setTimeout(() => {
      const account = accounts.find((a) => a.id === id);
      if (!account) return;
      emit(
        'registration.changed',
        account.aor.includes('home')
          ? wrongPassword(id)
          : plain(id, 'registered', { expires: account.expires }),
      );
    }, 500);
  };
  const save = (id: string, input: Account & { password?: string | null }, order: number): Account => {
    const { password, ...rest } = input;
    const before = accounts.find((a) => a.id === id);
    return { ...rest, id, order, hasPassword: Boolean(password) || Boolean(before?.hasPassword) };
  };

  (globalThis as { softphone?: unknown }).softphone = {
    app: {
      info: () =>
        ok({
          version: '0.1.0',
          host: 'electron',
          passwordProtection: { kind: 'os-keychain', detail: 'gnome_libsecret' },
          storageError:
            scenario === 'storage-error'
              ? {
                  kind: 'read-only',
                  path: '/home/alice/.config/softphone/softphone.sqlite',
                  detail: 'SQLITE_READONLY: attempt to write a readonly database',
                  holderPid: null,
                }
              : null,
        }),
    },
    accounts: {
      list: () => ok(accounts),
      create: (input: Account) => {
        const account = save(`n${nextId++}`, input, accounts.length);
        accounts = [...accounts, account];
        changed();
        return ok(account);
      },
      update: (id: string, input: Account) => {
        const account = save(id, input, accounts.find((a) => a.id === id)?.order ?? 0);
        accounts = accounts.map((a) => (a.id === id ? account : a));
        changed();
        return ok(account);
      },
      delete: (id: string) => {
        accounts = accounts.filter((a) => a.id !== id);
        changed();
        return ok(null);
      },
      setEnabled: (id: string, enabled: boolean) => {
        accounts = accounts.map((a) => (a.id === id ? { ...a, enabled } : a));
        changed();
        return ok(accounts.find((a) => a.id === id));
      },
      reorder: () => ok(accounts),
      registerNow: (id: string) => {
        register(id);
        return ok(null);
      },
    },
    registration: { list: () => ok(statuses) },
    settings: {
      get: () => ok(settings),
      update: (patch: object) => {
        settings = { ...settings, ...patch };
        emit('settings.changed', settings);
        return ok(settings);
      },
    },
    on: (event: string, listener: Listener) => {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  };
}
