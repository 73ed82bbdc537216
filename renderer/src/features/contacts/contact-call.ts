// Which account a contact is called and chatted through, and what a phone number is dialled as: the contact's own
// account when it still exists and is enabled, else the first enabled account; a number goes to that account's
// domain the way the dialpad sends it.
import type { AccountDto, ContactDto } from '../../../../main/contract/contract';
import { accountDomain, dialTarget, type DialTarget } from '../dialpad/dial-target';

export function contactAccount(contact: ContactDto, accounts: readonly AccountDto[]): AccountDto | null {
  const own = contact.accountId === null ? undefined : accounts.find((item) => item.id === contact.accountId);
  if (own?.enabled) return own;
  return accounts.find((item) => item.enabled) ?? null;
}

/** A phone number as the SIP URI to call through `account`, or what stops it. */
export function phoneTarget(number: string, account: AccountDto | null): DialTarget {
  return dialTarget(number, account ? accountDomain(account.aor) : null);
}
