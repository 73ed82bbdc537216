// Words for registration states: every sentence a person reads about a registration is here. The engine sends
// codes (`failure`, `status`), a technical `detail`, the server it talks to and when it will try again; this file
// turns them into the short form for the status bar, a status line, and the longer summary for the editor.
import type {
  AccountDto,
  RegistrationFailure,
  RegistrationFailureDto,
  RegistrationStateName,
  RegistrationStatusDto,
} from '../../../main/contract/contract';

/** The four looks the interface gives a registration. */
export type RegistrationTone = 'ok' | 'busy' | 'failed' | 'off';

export const STATE_LABELS: Readonly<Record<RegistrationStateName, string>> = {
  disabled: 'Disabled',
  unregistered: 'Not registered',
  registering: 'Registering…',
  registered: 'Registered',
  failed: 'Failed',
  unregistering: 'Unregistering…',
  'not-registering': 'Not registering',
};

const SHORT_REASONS: Readonly<Record<RegistrationFailure, string>> = {
  'bad-credentials': 'wrong password',
  forbidden: 'refused',
  'not-found': 'unknown user',
  timeout: 'no answer',
  unreachable: 'server unreachable',
  'server-error': 'server error',
  rejected: 'rejected',
  'interval-too-brief': 'expiry too short',
  'unsupported-challenge': 'unsupported login',
  'connection-lost': 'connection lost',
  'no-password': 'no password set',
  'password-unavailable': 'password unreadable',
};

const SUMMARIES: Readonly<Record<RegistrationFailure, string>> = {
  'bad-credentials': 'The password was not accepted.',
  forbidden: 'The server refused this account.',
  'not-found': 'The server does not know this user.',
  timeout: 'The server did not answer in time.',
  unreachable: 'The server could not be reached.',
  'server-error': 'The server had a problem and could not register the account.',
  rejected: 'The server rejected the registration.',
  'interval-too-brief': 'The server wants a longer registration interval.',
  'unsupported-challenge': 'The server asked for a login method this app does not support.',
  'connection-lost': 'The connection to the server was lost.',
  'no-password': 'The server asks for a password, and none is set for this account.',
  'password-unavailable': 'The saved password cannot be read on this computer; enter it again.',
};

/** "No answer from 127.0.0.1:5299": what went wrong, naming the server when the engine said which. */
const PROBLEMS: Readonly<Record<RegistrationFailure, (server: string | null) => string>> = {
  'bad-credentials': () => 'Password not accepted',
  forbidden: (server) => `Refused by ${server ?? 'the server'}`,
  'not-found': () => 'Unknown user',
  timeout: (server) => (server ? `No answer from ${server}` : 'No answer'),
  unreachable: (server) => `Cannot reach ${server ?? 'the server'}`,
  'server-error': (server) => `Server error at ${server ?? 'the server'}`,
  rejected: () => 'Registration rejected',
  'interval-too-brief': () => 'Registration interval too short for the server',
  'unsupported-challenge': () => 'Unsupported sign-in method',
  'connection-lost': (server) => `Connection to ${server ?? 'the server'} lost`,
  'no-password': () => 'No password set',
  'password-unavailable': () => 'Saved password unreadable',
};

/** The state to show for an account: the engine's latest status, or what its settings imply before any status. */
export function effectiveState(
  account: AccountDto,
  status: RegistrationStatusDto | undefined,
): RegistrationStateName {
  if (!account.enabled) return 'disabled';
  return status?.state ?? (account.register === false ? 'not-registering' : 'unregistered');
}

export function toneOf(state: RegistrationStateName): RegistrationTone {
  switch (state) {
    case 'registered':
      return 'ok';
    case 'registering':
    case 'unregistering':
      return 'busy';
    case 'failed':
      return 'failed';
    case 'disabled':
    case 'unregistered':
    case 'not-registering':
      return 'off';
  }
}

/**
 * "Registered", "Failed: wrong password", "Retrying: no answer", … for the status bar: while a new attempt follows
 * a failure, the failure stays in view instead of a bare "Registering…".
 */
export function shortStatus(state: RegistrationStateName, status: RegistrationStatusDto | undefined): string {
  if (state === 'registering' && status?.lastFailure)
    return `Retrying: ${SHORT_REASONS[status.lastFailure.failure]}`;
  if (state !== 'failed') return STATE_LABELS[state];
  const reason = status?.failure ? SHORT_REASONS[status.failure] : null;
  return reason ? `Failed: ${reason}` : 'Failed';
}

/**
 * The widest short status an account shows before something other than a retry changes it. A failing account
 * alternates between "Failed: …" and "Retrying: …" with every attempt, so the status bar sizes its layout on the
 * longer form and does not jump between inline entries and the summary at each retry.
 */
export function widestShortStatus(
  state: RegistrationStateName,
  status: RegistrationStatusDto | undefined,
): string {
  const failure = status && state !== 'disabled' ? knownFailure(status) : null;
  return failure ? `Retrying: ${SHORT_REASONS[failure.failure]}` : shortStatus(state, status);
}

/** The failure a status is about: its own in state 'failed', the previous attempt's while registering again. */
export function knownFailure(status: RegistrationStatusDto): RegistrationFailureDto | null {
  if (status.state === 'failed' && status.failure)
    return { failure: status.failure, detail: status.detail ?? '', status: status.status };
  if (status.state === 'registering') return status.lastFailure;
  return null;
}

/**
 * One line for the registration as it is now: "No answer from 127.0.0.1:5299 · retrying in 12 s" while failed with
 * a retry planned (`retryInMs` is what is left of the wait, counted by the caller from when the status arrived),
 * "No answer from 127.0.0.1:5299 · trying again…" while the retry runs, else the state's label.
 */
export function statusLine(
  status: RegistrationStatusDto,
  retryInMs: number | null = status.retryInMs,
): string {
  const failure = knownFailure(status);
  if (!failure) return STATE_LABELS[status.state];
  const problem = PROBLEMS[failure.failure](status.server);
  if (status.state === 'registering') return `${problem} · trying again…`;
  if (retryInMs === null) return problem;
  return `${problem} · retrying in ${Math.max(1, Math.ceil(retryInMs / 1000))} s`;
}

/** Whether the engine has another attempt planned or running, so a countdown or "trying again…" applies. */
export function isRetrying(status: RegistrationStatusDto): boolean {
  return status.state === 'registering' || status.retryInMs !== null;
}

export function failureSummary(status: RegistrationStatusDto): string {
  const failure = knownFailure(status);
  return failure ? SUMMARIES[failure.failure] : 'The registration failed.';
}

export function failureDetail(status: RegistrationStatusDto): string | null {
  const failure = knownFailure(status);
  if (failure?.detail) return failure.detail;
  if (status.detail) return status.detail;
  const code = failure?.status ?? status.status;
  return code !== null ? `SIP status ${code}` : null;
}

/** "Trying again in 30 seconds." when the engine has planned another attempt. */
export function retryText(status: RegistrationStatusDto): string | null {
  if (status.retryInMs === null) return null;
  const seconds = Math.max(1, Math.round(status.retryInMs / 1000));
  if (seconds < 120) return `Trying again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
  return `Trying again in ${Math.round(seconds / 60)} minutes.`;
}

/** The name to show for an account: its display name, else its address without the scheme. */
export function accountLabel(account: Pick<AccountDto, 'displayName' | 'aor'>): string {
  return account.displayName.trim() || account.aor.replace(/^sips?:/i, '');
}
