// Registration words that depend on the account as well as its status. An account with no password set that the
// server challenges is not "wrong password": nothing was sent to be wrong, so it says a password is needed.
import type { AccountDto, RegistrationStateName, RegistrationStatusDto } from '../../../main/ipc/contract';
import { failureSummary, shortStatus } from './registration-text';

function missingPassword(
  account: Pick<AccountDto, 'hasPassword'>,
  status: RegistrationStatusDto | undefined,
) {
  return !account.hasPassword && status?.state === 'failed' && status.failure === 'bad-credentials';
}

/** "Registered", "Failed: wrong password", "Failed: no password set", … */
export function accountShortStatus(
  account: Pick<AccountDto, 'hasPassword'>,
  state: RegistrationStateName,
  status: RegistrationStatusDto | undefined,
): string {
  if (state === 'failed' && missingPassword(account, status)) return 'Failed: no password set';
  return shortStatus(state, status);
}

/** The sentence a person can act on for a failed registration. */
export function accountFailureSummary(
  account: Pick<AccountDto, 'hasPassword'>,
  status: RegistrationStatusDto,
): string {
  if (missingPassword(account, status))
    return 'The server asks for a password, and this account has none set. Enter the password your provider gave you.';
  return failureSummary(status);
}
