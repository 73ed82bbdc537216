// The account editor's fields as typed (all text), their validation, and the AccountInput they become. Limits come
// from the contract's limits.ts, the same values the engine's schemas enforce, so the engine rarely has to refuse
// what the form let through.
import type { AccountDto, AccountInput, TransportName } from '../../../main/contract/contract';
import {
  AUTH_USER_MAX,
  DEFAULT_CODECS,
  DEFAULT_DO_NOT_DISTURB,
  DEFAULT_EARLY_MEDIA,
  DEFAULT_EXPIRES,
  DEFAULT_KEEP_ALIVE_KIND,
  DEFAULT_KEEP_ALIVE_SECONDS,
  DISPLAY_NAME_MAX,
  EXPIRES_MAX,
  EXPIRES_MIN,
  KEEP_ALIVE_MAX,
  KEEP_ALIVE_SHORTEST,
  PASSWORD_MAX,
} from '../../../main/contract/limits';
import { type CodecChoice, codecChoices, enabledCodecs } from './codec-order';
import { checkSipUri, type SipUriCheckOptions } from './sip-uri-check';

export type KeepAliveKind = AccountInput['keepAliveKind'];

export interface AccountForm {
  displayName: string;
  aor: string;
  authUser: string;
  password: string;
  outboundProxy: string;
  transport: TransportName;
  enabled: boolean;
  expires: string;
  registrar: string;
  keepAliveSeconds: string;
  keepAliveKind: KeepAliveKind;
  /** Every codec, in preference order, each on or off. */
  codecs: CodecChoice[];
  earlyMedia: boolean;
  doNotDisturb: boolean;
  /** A presence resource list's SIP URI; empty for none. */
  presenceListUri: string;
}

export type AccountField = keyof AccountForm;
export type AccountFormErrors = Partial<Record<AccountField, string>>;

export { DEFAULT_EXPIRES, EXPIRES_MAX, EXPIRES_MIN };
export const KEEPALIVE_MIN = KEEP_ALIVE_SHORTEST;
export const KEEPALIVE_MAX = KEEP_ALIVE_MAX;

/** The fields inside the editor's "Advanced" section. */
export const ADVANCED_FIELDS: readonly AccountField[] = [
  'expires',
  'registrar',
  'keepAliveSeconds',
  'keepAliveKind',
  'presenceListUri',
];

/** Form fields in screen order, for moving focus to the first one with a problem. */
export const ACCOUNT_FIELDS: readonly AccountField[] = [
  'displayName',
  'aor',
  'authUser',
  'password',
  'outboundProxy',
  'transport',
  'enabled',
  'doNotDisturb',
  'codecs',
  'earlyMedia',
  ...ADVANCED_FIELDS,
];

/** The fields that hold a SIP URI, and whether theirs needs a user part. */
export const URI_FIELDS: Readonly<Partial<Record<AccountField, SipUriCheckOptions>>> = {
  aor: { requireUser: true },
  outboundProxy: { requireUser: false },
  registrar: { requireUser: false },
  presenceListUri: { requireUser: true },
};

export function emptyAccountForm(): AccountForm {
  return {
    displayName: '',
    aor: '',
    authUser: '',
    password: '',
    outboundProxy: '',
    transport: 'udp',
    enabled: true,
    expires: String(DEFAULT_EXPIRES),
    registrar: '',
    keepAliveSeconds: String(DEFAULT_KEEP_ALIVE_SECONDS),
    keepAliveKind: DEFAULT_KEEP_ALIVE_KIND,
    codecs: codecChoices(DEFAULT_CODECS),
    earlyMedia: DEFAULT_EARLY_MEDIA,
    doNotDisturb: DEFAULT_DO_NOT_DISTURB,
    presenceListUri: '',
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
    enabled: account.enabled,
    expires: String(account.expires),
    registrar: account.registrar ?? '',
    keepAliveSeconds: String(account.keepAliveSeconds),
    keepAliveKind: account.keepAliveKind,
    codecs: codecChoices(account.codecs),
    earlyMedia: account.earlyMedia,
    doNotDisturb: account.doNotDisturb,
    presenceListUri: account.presenceListUri ?? '',
  };
}

/**
 * The text with `sip:` in front, when the person left the scheme out (`alice@example.com`, `192.0.2.10:5060`) and
 * adding it gives a valid URI; null when there is nothing to correct that way.
 */
export function withSipScheme(text: string, options: SipUriCheckOptions): string | null {
  const trimmed = text.trim();
  if (trimmed === '' || /^(sips?|tel):/i.test(trimmed)) return null;
  const corrected = `sip:${trimmed}`;
  return checkSipUri(corrected, options) === null ? corrected : null;
}

/** The URI with its scheme and host part in lower case, which RFC 3261 §19.1.4 compares case-insensitively. */
function comparableUri(text: string, options: SipUriCheckOptions): string {
  const trimmed = withSipScheme(text, options) ?? text.trim();
  const colon = trimmed.indexOf(':');
  const scheme = trimmed.slice(0, colon + 1).toLowerCase();
  const rest = trimmed.slice(colon + 1);
  const at = rest.lastIndexOf('@');
  return `${scheme}${rest.slice(0, at + 1)}${rest.slice(at + 1).toLowerCase()}`;
}

/** Another account with the same address and outbound proxy as the form, if any: a second one would clash. */
export function sameAccountAs(
  form: AccountForm,
  accounts: readonly AccountDto[],
  ownId: string | null,
): AccountDto | null {
  if (form.aor.trim() === '') return null;
  const aor = comparableUri(form.aor, URI_FIELDS.aor!);
  const proxy =
    form.outboundProxy.trim() === '' ? '' : comparableUri(form.outboundProxy, URI_FIELDS.outboundProxy!);
  return (
    accounts.find(
      (other) =>
        other.id !== ownId &&
        comparableUri(other.aor, URI_FIELDS.aor!) === aor &&
        (other.outboundProxy === null
          ? ''
          : comparableUri(other.outboundProxy, URI_FIELDS.outboundProxy!)) === proxy,
    ) ?? null
  );
}

/** The accounts the form must not clash with; the edited account itself is `ownId`. */
export interface ExistingAccounts {
  readonly accounts: readonly AccountDto[];
  readonly ownId: string | null;
}

export function validateAccountForm(form: AccountForm, existing?: ExistingAccounts): AccountFormErrors {
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
  if (form.registrar.trim() !== '') {
    const registrar = checkSipUri(form.registrar, { requireUser: false });
    if (registrar) errors.registrar = registrar;
  }
  if (form.presenceListUri.trim() !== '') {
    const list = checkSipUri(form.presenceListUri, { requireUser: true });
    if (list) errors.presenceListUri = list;
  }
  const keepAlive = form.keepAliveSeconds.trim();
  if (!/^[0-9]+$/.test(keepAlive)) {
    errors.keepAliveSeconds = `Enter a whole number of seconds: 0 for off, or ${KEEPALIVE_MIN} to ${KEEPALIVE_MAX}.`;
  } else if (Number(keepAlive) !== 0 && Number(keepAlive) < KEEPALIVE_MIN) {
    errors.keepAliveSeconds = `Use 0 to turn keep-alive off, or at least ${KEEPALIVE_MIN} seconds.`;
  } else if (Number(keepAlive) > KEEPALIVE_MAX) {
    errors.keepAliveSeconds = `Use at most ${KEEPALIVE_MAX} seconds (one hour).`;
  }
  if (enabledCodecs(form.codecs).length === 0) errors.codecs = 'Keep at least one codec on: calls need one.';
  if (!errors.aor && !errors.outboundProxy && existing) {
    const clash = sameAccountAs(form, existing.accounts, existing.ownId);
    if (clash) errors.aor = duplicateMessage(clash);
  }
  return errors;
}

/** Said under the address when another account already has it with the same outbound proxy. */
export function duplicateMessage(other: Pick<AccountDto, 'displayName' | 'aor'> | null): string {
  if (!other) return 'Another account already has this address and outbound proxy.';
  const name = other.displayName.trim() || other.aor;
  return `The account “${name}” already has this address and outbound proxy.`;
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
    registrar: optional(form.registrar),
    keepAliveSeconds: Number(form.keepAliveSeconds.trim()),
    keepAliveKind: form.keepAliveKind,
    enabled: form.enabled,
    codecs: enabledCodecs(form.codecs),
    earlyMedia: form.earlyMedia,
    doNotDisturb: form.doNotDisturb,
    presenceListUri: optional(form.presenceListUri),
  };
}

/** Whether the form holds anything the saved version does not: what closing it would throw away. */
export function isFormDirty(form: AccountForm, baseline: AccountForm): boolean {
  return ACCOUNT_FIELDS.some((field) => {
    const now = form[field];
    const then = baseline[field];
    if (Array.isArray(now) || Array.isArray(then)) return JSON.stringify(now) !== JSON.stringify(then);
    return typeof now === 'string' && typeof then === 'string' ? now.trim() !== then.trim() : now !== then;
  });
}

/** Maps the engine's `field` of a validation error (`0.aor`, `aor`, …) to a form field. */
export function formFieldOf(field: string | undefined): AccountField | null {
  const name = field?.split('.').pop();
  return ACCOUNT_FIELDS.find((candidate) => candidate === name) ?? null;
}
