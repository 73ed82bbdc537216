// The idle-away minutes in Settings: shows the saved value, saves a whole number of minutes on Enter or leaving the
// field, refuses what the contract would (not a number, over the maximum), and says when the engine refused.
import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import IdleAwaySetting from '../../../renderer/src/features/settings/IdleAwaySetting.svelte';
import { ServiceError } from '../../../main/services/service-error';
import { renderWithApp } from '../support/render';

const field = () => screen.getByRole('textbox', { name: 'Show me as away after (minutes idle)' });

describe('IdleAwaySetting', () => {
  it('shows the saved minutes and saves a new value on Enter', async () => {
    const { engine, bridge } = await renderWithApp(IdleAwaySetting, {}, {});
    expect(field()).toHaveProperty('value', '10');
    await fireEvent.input(field(), { target: { value: '25' } });
    await fireEvent.keyDown(field(), { key: 'Enter' });
    await waitFor(() => expect(engine.settings.idleAwayMinutes).toBe(25));
    expect(bridge.callsOf('settings.update')).toEqual([[{ idleAwayMinutes: 25 }]]);
    expect(screen.getByText('Away after 25 idle minutes.')).toBeTruthy();
  });

  it('turns it off with 0 when the field is left', async () => {
    const { engine } = await renderWithApp(IdleAwaySetting, {}, {});
    await fireEvent.input(field(), { target: { value: '0' } });
    await fireEvent.blur(field());
    await waitFor(() => expect(engine.settings.idleAwayMinutes).toBe(0));
    expect(screen.getByText('You stay available while away from the computer.')).toBeTruthy();
  });

  it('refuses what is not a whole number of minutes in range, without saving', async () => {
    const { bridge } = await renderWithApp(IdleAwaySetting, {}, {});
    await fireEvent.input(field(), { target: { value: 'soon' } });
    await fireEvent.blur(field());
    expect(screen.getByRole('alert').textContent).toBe(
      'Enter a whole number of minutes, 0 to 240 (0: never).',
    );
    expect(field().getAttribute('aria-invalid')).toBe('true');
    await fireEvent.input(field(), { target: { value: '241' } });
    await fireEvent.blur(field());
    expect(screen.getByRole('alert').textContent).toBe('At most 240 minutes (4 hours).');
    expect(bridge.callsOf('settings.update')).toEqual([]);
  });

  it('says when the engine refused', async () => {
    const { engine } = await renderWithApp(IdleAwaySetting, {}, {});
    engine.override('settings.update', () => {
      throw new ServiceError('storage', 'The disk is full.');
    });
    await fireEvent.input(field(), { target: { value: '5' } });
    await fireEvent.blur(field());
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The idle setting was not saved: The disk is full.',
    );
  });
});
