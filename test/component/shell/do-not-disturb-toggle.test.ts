// The quick do-not-disturb switch: pressed state from the enabled accounts (true, false or mixed), one press for
// all of them through accounts.setDoNotDisturb, a polite announcement, and nothing shown without an account.
import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import DoNotDisturbToggle from '../../../renderer/src/features/shell/DoNotDisturbToggle.svelte';
import { ServiceError } from '../../../main/services/service-error';
import { account } from '../support/fake-engine';
import { renderWithApp } from '../support/render';

const home = account({ id: 'home', aor: 'sip:me@home.test' });
const work = account({ id: 'work', aor: 'sip:me@work.test', order: 1 });
const off = account({ id: 'old', aor: 'sip:me@old.test', order: 2, enabled: false });

const button = () => screen.getByRole('button', { name: 'Do not disturb' });

describe('DoNotDisturbToggle', () => {
  it('turns do-not-disturb on for every enabled account with one press, and off again', async () => {
    const { bridge } = await renderWithApp(DoNotDisturbToggle, {}, { accounts: [home, work, off] });
    expect(button().getAttribute('aria-pressed')).toBe('false');
    await fireEvent.click(button());
    await waitFor(() => expect(button().getAttribute('aria-pressed')).toBe('true'));
    expect(bridge.callsOf('accounts.setDoNotDisturb')).toEqual([
      ['home', true],
      ['work', true],
    ]);
    expect(screen.getByText('Do not disturb is on: calls are turned away as busy.')).toBeTruthy();
    await fireEvent.click(button());
    await waitFor(() => expect(button().getAttribute('aria-pressed')).toBe('false'));
    expect(screen.getByText('Do not disturb is off: calls ring again.')).toBeTruthy();
  });

  it('says "mixed" when only some accounts have it, and a press turns it on for the rest', async () => {
    const { bridge } = await renderWithApp(
      DoNotDisturbToggle,
      {},
      { accounts: [{ ...home, doNotDisturb: true }, work] },
    );
    expect(button().getAttribute('aria-pressed')).toBe('mixed');
    expect(document.getElementById(button().getAttribute('aria-describedby')!)?.textContent).toBe(
      'On for 1 of 2 accounts.',
    );
    await fireEvent.click(button());
    await waitFor(() => expect(button().getAttribute('aria-pressed')).toBe('true'));
    expect(bridge.callsOf('accounts.setDoNotDisturb')).toEqual([['work', true]]);
  });

  it('says so when the engine refuses', async () => {
    const { engine } = await renderWithApp(DoNotDisturbToggle, {}, { accounts: [home] });
    engine.override('accounts.setDoNotDisturb', () => {
      throw new ServiceError('storage', 'The disk is full.');
    });
    await fireEvent.click(button());
    expect((await screen.findByRole('alert')).textContent).toMatch(/could not be changed: The disk is full/);
    expect(button().getAttribute('aria-pressed')).toBe('false');
  });

  it('is not shown without an enabled account', async () => {
    await renderWithApp(DoNotDisturbToggle, {}, { accounts: [off] });
    expect(screen.queryByRole('button', { name: 'Do not disturb' })).toBeNull();
  });
});
