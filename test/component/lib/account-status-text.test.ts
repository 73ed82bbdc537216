import { describe, expect, it } from 'vitest';
import { accountFailureSummary, accountShortStatus } from '../../../renderer/src/lib/account-status-text';
import { status, wrongPassword } from '../support/fake-engine';

describe('account status words', () => {
  it('calls a challenged account without a password "no password set", never "wrong password"', () => {
    const failed = wrongPassword('a');
    expect(accountShortStatus({ hasPassword: false }, 'failed', failed)).toBe('Failed: no password set');
    expect(accountFailureSummary({ hasPassword: false }, failed)).toContain('has none set');
    expect(accountFailureSummary({ hasPassword: false }, failed)).not.toMatch(/wrong|not accepted/i);
  });

  it('keeps the usual words when a password is set, or the failure is something else', () => {
    const failed = wrongPassword('a');
    expect(accountShortStatus({ hasPassword: true }, 'failed', failed)).toBe('Failed: wrong password');
    expect(accountFailureSummary({ hasPassword: true }, failed)).toBe('The password was not accepted.');
    const timeout = status({ accountId: 'a', state: 'failed', failure: 'timeout' });
    expect(accountShortStatus({ hasPassword: false }, 'failed', timeout)).toBe('Failed: no answer');
    expect(
      accountShortStatus(
        { hasPassword: false },
        'registered',
        status({ accountId: 'a', state: 'registered' }),
      ),
    ).toBe('Registered');
  });
});
