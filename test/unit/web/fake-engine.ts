// A stand-in for the engine façade: the real CommandRouter (so validation is the real thing) over stub handlers,
// and an event source the test fires by hand.
import { CommandRouter, type CommandHandlers } from '../../../main/ipc/command-router';
import type { AccountDto, AccountInput, EventName, Events } from '../../../main/ipc/contract';
import { ServiceError } from '../../../main/services/service-error';
import type { WebHostEngine } from '../../../main/web/web-host';

type Listener = <E extends EventName>(name: E, payload: Events[E]) => void;

export interface FakeEngine extends WebHostEngine {
  emit<E extends EventName>(name: E, payload: Events[E]): void;
  readonly listenerCount: () => number;
  /** Calls of accounts.registerNow wait here until the test releases them. */
  readonly pending: (() => void)[];
}

export function accountFrom(input: AccountInput, id = 'a1'): AccountDto {
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
    order: 0,
    hasPassword: Boolean(input.password),
  };
}

export function createFakeEngine(): FakeEngine {
  const listeners = new Set<Listener>();
  const pending: (() => void)[] = [];
  const handlers: CommandHandlers = {
    'app.info': () => ({
      version: '0.0.0-test',
      host: 'web',
      storageError: null,
      passwordProtection: 'test',
    }),
    'accounts.list': () => [],
    'accounts.create': (input) => accountFrom(input),
    'accounts.update': (id, input) => accountFrom(input, id),
    'accounts.delete': (id) => {
      throw new ServiceError('not-found', `no account ${id}`);
    },
    'accounts.setEnabled': () => {
      throw new Error('boom: a bug in a service');
    },
    'accounts.reorder': () => [],
    'accounts.registerNow': () => new Promise<null>((resolve) => pending.push(() => resolve(null))),
    'registration.list': () => [],
    'settings.get': () => ({ theme: 'system', sipPort: 0 }),
    'settings.update': (patch) => ({ theme: patch.theme ?? 'system', sipPort: patch.sipPort ?? 0 }),
  };
  return {
    router: new CommandRouter(handlers),
    events: {
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    emit(name, payload) {
      for (const listener of listeners) listener(name, payload);
    },
    listenerCount: () => listeners.size,
    pending,
  };
}

export const validAccount: AccountInput = {
  displayName: 'Alice',
  aor: 'sip:alice@example.com',
  authUser: null,
  password: 'secret',
  outboundProxy: 'sip:127.0.0.1:5060',
  transport: 'udp',
  expires: 600,
  registrar: null,
  keepAliveSeconds: 0,
  keepAliveKind: 'crlf',
  enabled: true,
};
