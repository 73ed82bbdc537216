import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import AudioSettings from '../../../renderer/src/features/settings/AudioSettings.svelte';
import { renderAudioApp } from '../audio/audio-state';
import { microphone, speaker } from '../support/fake-media-devices';

const desk = microphone('m-desk', 'Desk microphone');
const headset = microphone('m-headset', 'USB headset');
const monitor = speaker('s-monitor', 'Monitor speakers');

function options(select: HTMLElement): string[] {
  return within(select)
    .getAllByRole('option')
    .map((option) => option.textContent ?? '');
}

describe('AudioSettings', () => {
  it('lists the devices for microphone, speaker and ringer, the default first', async () => {
    await renderAudioApp(AudioSettings, {}, { devices: [desk, headset, monitor] });
    expect(options(screen.getByLabelText('Microphone'))).toEqual([
      'System default microphone',
      'Desk microphone',
      'USB headset',
    ]);
    expect(options(screen.getByLabelText('Speaker'))).toEqual(['System default speaker', 'Monitor speakers']);
    expect(options(screen.getByLabelText('Ringer'))).toEqual(['System default speaker', 'Monitor speakers']);
    expect((screen.getByLabelText('Microphone') as HTMLSelectElement).value).toBe('');
  });

  it('stores a chosen device through the engine', async () => {
    const { engine } = await renderAudioApp(AudioSettings, {}, { devices: [desk, headset, monitor] });
    await fireEvent.change(screen.getByLabelText('Microphone'), { target: { value: 'm-headset' } });
    await fireEvent.change(screen.getByLabelText('Ringer'), { target: { value: 's-monitor' } });
    await waitFor(() => expect(engine.settings.audioRingerId).toBe('s-monitor'));
    expect(engine.settings.audioInputId).toBe('m-headset');
  });

  it('says when a chosen device is unplugged, keeps it selectable, and clears the notice when it is back', async () => {
    const { media } = await renderAudioApp(
      AudioSettings,
      {},
      { devices: [desk, headset, monitor], settings: { audioInputId: 'm-headset' } },
    );
    expect(screen.getByRole('status').textContent?.trim()).toBe('');
    media.change([desk, monitor]);
    await waitFor(() =>
      expect(screen.getByRole('status').textContent).toContain(
        'The microphone “USB headset” is not connected; the default microphone is used until it is back.',
      ),
    );
    expect(options(screen.getByLabelText('Microphone'))).toContain('USB headset (not connected)');
    media.change([desk, headset, monitor]);
    await waitFor(() => expect(screen.getByRole('status').textContent?.trim()).toBe(''));
  });

  it('turns the capture switches on and off in the settings', async () => {
    const { engine } = await renderAudioApp(AudioSettings, {}, { devices: [desk] });
    const echo = screen.getByRole('checkbox', { name: 'Echo cancellation' }) as HTMLInputElement;
    expect(echo.checked).toBe(true);
    await fireEvent.click(echo);
    await waitFor(() => expect(engine.settings.audioEchoCancellation).toBe(false));
    await fireEvent.click(screen.getByRole('checkbox', { name: 'Automatic gain' }));
    await waitFor(() => expect(engine.settings.audioAutoGainControl).toBe(false));
    expect(engine.settings.audioNoiseSuppression).toBe(true);
  });

  it('shows the live microphone level while testing, and stops the microphone after', async () => {
    const { tools } = await renderAudioApp(
      AudioSettings,
      {},
      { devices: [desk], settings: { audioInputId: 'm-desk', audioNoiseSuppression: false } },
    );
    await fireEvent.click(screen.getByRole('button', { name: 'Test microphone' }));
    await waitFor(() => expect(tools.onLevel).not.toBeNull());
    expect(tools.meterChoices[0]).toEqual({
      deviceId: 'm-desk',
      echoCancellation: true,
      noiseSuppression: false,
      autoGainControl: true,
    });
    tools.onLevel!(0.42);
    const meter = screen.getByRole('meter', { name: 'Microphone level' }) as HTMLMeterElement;
    await waitFor(() => expect(meter.value).toBeCloseTo(0.42));
    expect(meter.getAttribute('aria-valuetext')).toBe('42%');
    await fireEvent.click(screen.getByRole('button', { name: 'Stop microphone test' }));
    expect(tools.meterStopped).toBe(1);
    expect(meter.value).toBe(0);
  });

  it('explains a refused microphone and what to do about it', async () => {
    const { media } = await renderAudioApp(AudioSettings, {}, { devices: [desk] });
    media.answer = () => 'NotAllowedError';
    await fireEvent.click(screen.getByRole('button', { name: 'Test microphone' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/This page may not use the microphone\. Allow it in the site settings/);
    expect(alert.textContent).toMatch(/Calls still connect/);
    expect(screen.getByRole('button', { name: 'Test microphone' })).toBeTruthy();
  });

  it('plays the test tone on the chosen speaker, and says when that speaker refused it', async () => {
    const { tools } = await renderAudioApp(
      AudioSettings,
      {},
      { devices: [desk, monitor], settings: { audioOutputId: 's-monitor' } },
    );
    tools.toneApplies = false;
    await fireEvent.click(screen.getByRole('button', { name: 'Play test tone' }));
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      'Sound could not be sent to “Monitor speakers”; the default speaker is used.',
    );
    expect(tools.toneSinks).toEqual(['s-monitor']);
  });

  it('explains why the speaker cannot be chosen where setSinkId is missing', async () => {
    await renderAudioApp(AudioSettings, {}, { devices: [desk, monitor], canChooseOutput: false });
    const select = screen.getByLabelText('Speaker') as HTMLSelectElement;
    expect(select.disabled).toBe(true);
    expect(select.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(select.getAttribute('aria-describedby')!)?.textContent).toMatch(
      /cannot send sound to a chosen device/,
    );
  });

  it('says so when the page cannot reach audio devices at all, and offers no test', async () => {
    await renderAudioApp(AudioSettings, {}, { noMedia: true });
    expect(screen.getByText(/This page cannot reach audio devices/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Test microphone' }) as HTMLButtonElement).disabled).toBe(
      true,
    );
    expect((screen.getByRole('button', { name: 'Play test tone' }) as HTMLButtonElement).disabled).toBe(true);
  });
});
