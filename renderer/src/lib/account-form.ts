// The account editor's fields as typed (all text), their validation, and the AccountInput they become. Limits come
// from the contract's limits.ts, the same values the engine's schemas enforce, so the engine rarely has to refuse
// what the form let through.
import type { AccountDto, AccountInput, TransportName } from '../../../main/contract/contract';
import {
  AUTH_USER_MAX,
  DEFAULT_EXPIRES,
  DEFAULT_KEEP_ALIVE_KIND,
  DEFAULT_KEEP_ALIVE_SECONDS,
  DISPLAY_NAME_MAX,
  EXPIRES_MAX,
  EXPIRES_MIN,
  PASSWORD_MAX,
} from '../../../main/contract/limits';
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

export { DEFAULT_EXPIRES, EXPIRES_MAX, EXPIRES_MIN };

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
  if (form.displayName.trim().length > DISPLAY_NAME_MAX)
    errors.displayName = `Keep the name under ${DISPLAY_NAME_MAX} characters.`;
  const aor = checkSipUri(form.aor, { requireUser: true });
  if (aor) errors.aor = aor;
  if (form.authUser.trim().length > AUTH_USER_MAX)
    errors.authUser = `Keep the user name under ${AUTH_USER_MAX} characters.`;
  if (form.password.length > PASSWORD_MAX)
    errors.password = `Keep the password under ${PASSWORD_MAX} characters.`;
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
    // The engine's defaults until the form's Advanced section edits these.
    registrar: null,
    transport: form.transport,
    expires: Number(form.expires.trim()),
    keepAliveSeconds: DEFAULT_KEEP_ALIVE_SECONDS,
    keepAliveKind: DEFAULT_KEEP_ALIVE_KIND,
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
