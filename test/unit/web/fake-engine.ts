// The shared fake engine (test/support/fake-engine.ts) set up for the web host's tests: deleting an unknown account
// is a service error, enabling one is a bug that throws, and registerNow waits until the test releases it.
import type { AccountDto, AccountInput } from '../../../main/contract/contract';
import { ServiceError } from '../../../main/services/service-error';
import { FakeEngine, account, accountInput } from '../../support/fake-engine';

export interface WebFakeEngine extends FakeEngine {
  /** Calls of accounts.registerNow wait here until the test releases them. */
  readonly pending: (() => void)[];
}

export function accountFrom(input: AccountInput, id = 'a1'): AccountDto {
  const { password, register, codecs, earlyMedia, doNotDisturb, presenceListUri, ...fields } = input;
  return {
    ...account({ id }),
    ...fields,
    ...(register !== undefined ? { register } : {}),
    ...(codecs !== undefined ? { codecs } : {}),
    ...(earlyMedia !== undefined ? { earlyMedia } : {}),
    ...(doNotDisturb !== undefined ? { doNotDisturb } : {}),
    ...(presenceListUri !== undefined ? { presenceListUri } : {}),
    id,
    order: 0,
    hasPassword: Boolean(password),
  };
}

export function createFakeEngine(): WebFakeEngine {
  const pending: (() => void)[] = [];
  const engine = new FakeEngine({
    info: { version: '0.0.0-test', passwordProtection: { kind: 'key-file', detail: 'secret.key' } },
  })
    .override('accounts.create', (input) => accountFrom(input))
    .override('accounts.update', (id, input) => accountFrom(input, id))
    .override('accounts.delete', (id) => {
      throw new ServiceError('not-found', `no account ${id}`);
    })
    .override('accounts.setEnabled', () => {
      throw new Error('boom: a bug in a service');
    })
    .override(
      'accounts.registerNow',
      () => new Promise<null>((resolve) => pending.push(() => resolve(null))),
    );
  return Object.assign(engine, { pending });
}

export const validAccount: AccountInput = accountInput({ outboundProxy: 'sip:127.0.0.1:5060', expires: 600 });
