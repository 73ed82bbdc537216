// The "ring on the default device too" switch: shows the stored setting, saves a change through settings.update,
// and puts the box back with a notice when the engine refuses.
import { fireEvent, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import RingSetting from '../../../renderer/src/features/settings/RingSetting.svelte';
import { ServiceError } from '../../../main/services/service-error';
import { renderWithApp } from '../support/render';

const box = () => screen.getByLabelText('Ring on the default device too') as HTMLInputElement;

describe('RingSetting', () => {
  it('shows the stored setting and saves a change', async () => {
    const { bridge, app } = await renderWithApp(
      RingSetting,
      {},
      { settings: { ringOnDefaultDevice: false } },
    );
    expect(box().checked).toBe(false);
    await fireEvent.click(box());
    await waitFor(() => expect(app.settings.value?.ringOnDefaultDevice).toBe(true));
    expect(bridge.callsOf('settings.update')).toEqual([[{ ringOnDefaultDevice: true }]]);
    expect(box().checked).toBe(true);
  });

  it('puts the box back and says why when the setting is not saved', async () => {
    const { engine } = await renderWithApp(RingSetting, {}, { settings: { ringOnDefaultDevice: true } });
    engine.override('settings.update', () => {
      throw new ServiceError('storage', 'The disk is full.');
    });
    await fireEvent.click(box());
    expect((await screen.findByRole('alert')).textContent).toMatch(/not saved: The disk is full/);
    expect(box().checked).toBe(true);
  });
});
