// The web host's "This browser tab" section: it says what the browser allows for call notifications, and asks the
// browser for sip:/tel: links only on a click, saying what came of it.
import { fireEvent, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import BrowserSetting from '../../../renderer/src/features/settings/BrowserSetting.svelte';
import { renderWithApp } from '../support/render';

describe('BrowserSetting', () => {
  it('says when the browser cannot notify, without asking on load', async () => {
    await renderWithApp(BrowserSetting, {}, {});
    expect(screen.getByText(/cannot show notifications/u)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Allow notifications' })).toBeNull();
  });

  it('asks for sip: and tel: links on a click and says the browser was asked', async () => {
    const registerProtocolHandler = vi.fn();
    Object.defineProperty(navigator, 'registerProtocolHandler', {
      value: registerProtocolHandler,
      configurable: true,
    });
    await renderWithApp(BrowserSetting, {}, {});
    expect(registerProtocolHandler).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole('button', { name: 'Open links here' }));
    expect(registerProtocolHandler.mock.calls.map(([scheme]) => scheme)).toEqual(['sip', 'tel']);
    expect(screen.getByText(/The browser was asked/u)).toBeTruthy();
    Reflect.deleteProperty(navigator, 'registerProtocolHandler');
  });
});
