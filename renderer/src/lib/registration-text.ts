// Words for registration states. The engine sends a summary and a detail line with each failure; these are the
// short forms for the status bar, and fallbacks for when the engine had nothing more specific to say.
import type {
  AccountDto,
  RegistrationFailure,
  RegistrationStateName,
  RegistrationStatusDto,
} from '../../../main/ipc/contract';

/** The four looks the interface gives a registration. */
export type RegistrationTone = 'ok' | 'busy' | 'failed' | 'off';

export const STATE_LABELS: Readonly<Record<RegistrationStateName, string>> = {
  disabled: 'Disabled',
  unregistered: 'Not registered',
  registering: 'Registering…',
  registered: 'Registered',
  failed: 'Failed',
  unregistering: 'Unregistering…',
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
};

/** The state to show for an account: the engine's latest status, or what its settings imply before any status. */
export function effectiveState(
  account: AccountDto,
  status: RegistrationStatusDto | undefined,
): RegistrationStateName {
  if (!account.enabled) return 'disabled';
  return status?.state ?? 'unregistered';
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
      return 'off';
  }
}

/** "Registered", "Failed: wrong password", … for the status bar. */
export function shortStatus(state: RegistrationStateName, status: RegistrationStatusDto | undefined): string {
  if (state !== 'failed') return STATE_LABELS[state];
  const reason = status?.failure ? SHORT_REASONS[status.failure] : null;
  return reason ? `Failed: ${reason}` : 'Failed';
}

export function failureSummary(status: RegistrationStatusDto): string {
  if (status.summary) return status.summary;
  return status.failure ? SUMMARIES[status.failure] : 'The registration failed.';
}

export function failureDetail(status: RegistrationStatusDto): string | null {
  if (status.detail) return status.detail;
  return status.status !== null ? `SIP status ${status.status}` : null;
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
