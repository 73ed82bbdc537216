// The account editor's fields as typed (all text), their validation, and the AccountInput they become. Limits
// mirror main/ipc/schemas.ts so the engine rarely has to refuse what the form let through.
import type { AccountDto, AccountInput, TransportName } from '../../../main/ipc/contract';
import { checkSipUri } from './sip-uri-check';

export interface AccountForm {
  displayName: string;
  aor: string;
  authUser: string;
  password: string;
  outboundProxy: string;
  transport: TransportName;
  expires: string;
  enabled: boolean;
}

export type AccountField = keyof AccountForm;
export type AccountFormErrors = Partial<Record<AccountField, string>>;

export const EXPIRES_MIN = 30;
export const EXPIRES_MAX = 86_400;
export const DEFAULT_EXPIRES = 3600;

export function emptyAccountForm(): AccountForm {
  return {
    displayName: '',
    aor: '',
    authUser: '',
    password: '',
    outboundProxy: '',
    transport: 'udp',
    expires: String(DEFAULT_EXPIRES),
    enabled: true,
  };
}

export function accountFormFrom(account: AccountDto): AccountForm {
  return {
    displayName: account.displayName,
    aor: account.aor,
    authUser: account.authUser ?? '',
    password: '',
    outboundProxy: account.outboundProxy ?? '',
    transport: account.transport,
    expires: String(account.expires),
    enabled: account.enabled,
  };
}

export function validateAccountForm(form: AccountForm): AccountFormErrors {
  const errors: AccountFormErrors = {};
  if (form.displayName.trim().length > 100) errors.displayName = 'Keep the name under 100 characters.';
  const aor = checkSipUri(form.aor, { requireUser: true });
  if (aor) errors.aor = aor;
  if (form.authUser.trim().length > 128) errors.authUser = 'Keep the user name under 128 characters.';
  if (form.password.length > 256) errors.password = 'Keep the password under 256 characters.';
  if (form.outboundProxy.trim() !== '') {
    const proxy = checkSipUri(form.outboundProxy, { requireUser: false });
    if (proxy) errors.outboundProxy = proxy;
  }
  const expires = form.expires.trim();
  if (!/^[0-9]+$/.test(expires)) {
    errors.expires = `Enter a whole number of seconds from ${EXPIRES_MIN} to ${EXPIRES_MAX}.`;
  } else if (Number(expires) < EXPIRES_MIN) {
    errors.expires = `Use at least ${EXPIRES_MIN} seconds.`;
  } else if (Number(expires) > EXPIRES_MAX) {
    errors.expires = `Use at most ${EXPIRES_MAX} seconds (one day).`;
  }
  return errors;
}

/** The command payload. An empty password field keeps the stored password, so it is left out. */
export function accountInputFrom(form: AccountForm): AccountInput {
  const optional = (text: string) => (text.trim() === '' ? null : text.trim());
  return {
    displayName: form.displayName.trim(),
    aor: form.aor.trim(),
    authUser: optional(form.authUser),
    ...(form.password === '' ? {} : { password: form.password }),
    outboundProxy: optional(form.outboundProxy),
    transport: form.transport,
    expires: Number(form.expires.trim()),
    enabled: form.enabled,
  };
}

/** Form fields in screen order, for moving focus to the first one with a problem. */
export const ACCOUNT_FIELDS: readonly AccountField[] = [
  'displayName',
  'aor',
  'authUser',
  'password',
  'outboundProxy',
  'transport',
  'expires',
  'enabled',
];

/** Maps the engine's `field` of a validation error (`0.aor`, `aor`, …) to a form field. */
export function formFieldOf(field: string | undefined): AccountField | null {
  const name = field?.split('.').pop();
  return ACCOUNT_FIELDS.find((candidate) => candidate === name) ?? null;
}
