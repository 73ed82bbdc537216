// The audio devices the window can use and which ones it uses: the lists from enumerateDevices (again on every
// `devicechange`), the choices from the engine's settings (so every window agrees), and what is in effect. A chosen
// device that is not connected gives way to the system default with a notice, and takes over again when it is
// back; the choice itself is kept. The ringtone player reads `ringerSinkId`.
import { SvelteMap } from 'svelte/reactivity';
import type { SettingsDto } from '../../../../main/contract/contract';
import { type AudioRole, defaultDeviceLabel, fallbackNotice, unnamedDevice } from './audio-text';
import type { SettingsState } from '../state/settings.svelte';

/** The part of navigator.mediaDevices used here, so tests can hand in a fake. */
export interface MediaDevicesPort {
  enumerateDevices(): Promise<readonly Pick<MediaDeviceInfo, 'deviceId' | 'kind' | 'label'>[]>;
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  addEventListener(type: 'devicechange', listener: () => void): void;
  removeEventListener(type: 'devicechange', listener: () => void): void;
}

export interface AudioDevice {
  readonly id: string;
  readonly label: string;
}

export interface DeviceNotice {
  readonly role: AudioRole;
  readonly text: string;
}

const SETTING_OF: Record<AudioRole, 'audioInputId' | 'audioOutputId' | 'audioRingerId'> = {
  microphone: 'audioInputId',
  speaker: 'audioOutputId',
  ringer: 'audioRingerId',
};

/** Chromium's stand-ins for "whatever the system uses": our '' already means that. */
const PSEUDO_DEVICES = new Set(['default', 'communications', '']);

/** The navigator's media devices, or null where the page has none (plain http, jsdom). */
export function browserMediaDevices(): MediaDevicesPort | null {
  return typeof navigator !== 'undefined' && navigator.mediaDevices ? navigator.mediaDevices : null;
}

export class AudioDevicesState {
  microphones = $state<readonly AudioDevice[]>([]);
  speakers = $state<readonly AudioDevice[]>([]);
  /** Whether the lists have been read at least once. */
  loaded = $state(false);
  /** Whether the device lists can be read at all here. */
  readonly available: boolean;
  /** Whether sound can be sent to a chosen output (AudioContext.setSinkId); the speaker and ringer choices need it. */
  readonly canChooseOutput: boolean;
  /** The last labels seen per id, so a notice can name a device after it is unplugged. */
  readonly #labels = new SvelteMap<string, string>();
  #listeners: readonly (() => void)[] = [];
  /** What was in effect when the listeners were last told (nothing chosen, before the settings load). */
  #lastEffective = JSON.stringify(['', '', '']);

  constructor(
    private readonly settings: SettingsState,
    private readonly media: MediaDevicesPort | null,
    options: { readonly canChooseOutput: boolean },
  ) {
    this.available = media !== null;
    this.canChooseOutput = options.canChooseOutput;
  }

  /** The device chosen for a role in the settings ('' = the system default). */
  chosen(role: AudioRole): string {
    return this.settings.value?.[SETTING_OF[role]] ?? '';
  }

  /** The device really used for a role: the chosen one while it is connected, else the default (''). */
  effective(role: AudioRole): string {
    const id = this.chosen(role);
    if (id === '' || !this.loaded) return id;
    if (role !== 'microphone' && !this.canChooseOutput) return '';
    const list = role === 'microphone' ? this.microphones : this.speakers;
    return list.some((device) => device.id === id) ? id : '';
  }

  get microphoneId(): string {
    return this.effective('microphone');
  }

  get speakerSinkId(): string {
    return this.effective('speaker');
  }

  /** The sink for the ringtone ('' = the default output). */
  get ringerSinkId(): string {
    return this.effective('ringer');
  }

  /** One notice per role whose chosen device is not connected. */
  get notices(): readonly DeviceNotice[] {
    if (!this.loaded) return [];
    const notices: DeviceNotice[] = [];
    for (const role of ['microphone', 'speaker', 'ringer'] as const) {
      const id = this.chosen(role);
      if (id === '' || this.effective(role) === id) continue;
      if (role !== 'microphone' && !this.canChooseOutput) continue;
      notices.push({ role, text: fallbackNotice(role, this.#labels.get(id) ?? null) });
    }
    return notices;
  }

  /** A device's name for lists and notices. */
  label(role: AudioRole, id: string): string {
    if (id === '') return defaultDeviceLabel(role);
    return this.#labels.get(id) ?? id;
  }

  async refresh(): Promise<void> {
    if (!this.media) return;
    let devices: Awaited<ReturnType<MediaDevicesPort['enumerateDevices']>>;
    try {
      devices = await this.media.enumerateDevices();
    } catch {
      return; // keep the last lists; a devicechange will ask again
    }
    const pick = (kind: MediaDeviceKind, role: 'microphone' | 'speaker'): AudioDevice[] =>
      devices
        .filter((device) => device.kind === kind && !PSEUDO_DEVICES.has(device.deviceId))
        .map((device, index) => ({ id: device.deviceId, label: device.label || unnamedDevice(role, index) }));
    const microphones = pick('audioinput', 'microphone');
    const speakers = pick('audiooutput', 'speaker');
    for (const device of [...microphones, ...speakers]) this.#labels.set(device.id, device.label);
    this.microphones = microphones;
    this.speakers = speakers;
    this.loaded = true;
    this.#changed();
  }

  /** Stores a choice through the engine (settings.changed brings it to every window). */
  async choose(role: AudioRole, id: string): Promise<boolean> {
    const patch: Partial<SettingsDto> = { [SETTING_OF[role]]: id };
    const result = await this.settings.update(patch);
    this.#changed();
    return result.ok;
  }

  /** Called when a device in effect changes (a choice, a plug, a choice made in another window). */
  onChange(listener: () => void): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((other) => other !== listener);
    };
  }

  /** Settings came from the engine (or were loaded): a choice made elsewhere may change what is in effect here. */
  settingsApplied(): void {
    this.#changed();
  }

  /** Reads the lists now and on every devicechange; returns the function that stops listening. */
  start(): () => void {
    const media = this.media;
    if (!media) return () => {};
    const listener = () => void this.refresh();
    media.addEventListener('devicechange', listener);
    void this.refresh();
    return () => media.removeEventListener('devicechange', listener);
  }

  #effectiveAll(): string {
    return JSON.stringify([this.microphoneId, this.speakerSinkId, this.ringerSinkId]);
  }

  /** Tells the listeners, once per real change of the devices in effect. */
  #changed(): void {
    const now = this.#effectiveAll();
    if (now === this.#lastEffective) return;
    this.#lastEffective = now;
    for (const listener of this.#listeners) listener();
  }
}
