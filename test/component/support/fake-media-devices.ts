// A stand-in for navigator.mediaDevices: a device list a test can plug and unplug (firing `devicechange` as the
// browser does), and a getUserMedia that records its constraints and answers as the test says — a stream whose
// tracks remember being stopped, or the DOMException a browser would throw.
import type { MediaDevicesPort } from '../../../renderer/src/lib/audio/audio-devices.svelte';

export interface FakeDevice {
  readonly deviceId: string;
  readonly kind: MediaDeviceKind;
  readonly label: string;
}

export interface FakeStream extends MediaStream {
  readonly stopped: boolean;
}

export function fakeStream(): FakeStream {
  let stopped = false;
  const track = {
    stop() {
      stopped = true;
    },
  };
  return {
    getTracks: () => [track],
    get stopped() {
      return stopped;
    },
  } as unknown as FakeStream;
}

export const microphone = (deviceId: string, label: string): FakeDevice => ({
  deviceId,
  kind: 'audioinput',
  label,
});
export const speaker = (deviceId: string, label: string): FakeDevice => ({
  deviceId,
  kind: 'audiooutput',
  label,
});

export class FakeMediaDevices implements MediaDevicesPort {
  devices: FakeDevice[];
  readonly requests: MediaStreamConstraints[] = [];
  readonly streams: FakeStream[] = [];
  /** Decides each getUserMedia: a DOMException name to throw, or 'open'. */
  answer: (constraints: MediaStreamConstraints) => 'open' | string = () => 'open';
  /** When set, getUserMedia waits for this before answering. */
  gate: Promise<void> | null = null;
  #listeners: (() => void)[] = [];

  constructor(devices: FakeDevice[] = []) {
    this.devices = devices;
  }

  async enumerateDevices() {
    return this.devices.map((device) => ({ ...device }));
  }

  async getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
    this.requests.push(constraints);
    if (this.gate) await this.gate;
    const answer = this.answer(constraints);
    if (answer !== 'open') throw new DOMException(`fake ${answer}`, answer);
    const stream = fakeStream();
    this.streams.push(stream);
    return stream;
  }

  addEventListener(_type: 'devicechange', listener: () => void): void {
    this.#listeners.push(listener);
  }

  removeEventListener(_type: 'devicechange', listener: () => void): void {
    this.#listeners = this.#listeners.filter((other) => other !== listener);
  }

  get listenerCount(): number {
    return this.#listeners.length;
  }

  /** Replaces the device list and tells the listeners, as plugging or unplugging does. */
  change(devices: FakeDevice[]): void {
    this.devices = devices;
    for (const listener of this.#listeners) listener();
  }
}

/** The deviceId a getUserMedia request asked for exactly, or null for "any". */
export function requestedDevice(constraints: MediaStreamConstraints): string | null {
  const audio = constraints.audio;
  if (typeof audio !== 'object') return null;
  const deviceId = audio.deviceId;
  return typeof deviceId === 'object' && !Array.isArray(deviceId) && typeof deviceId.exact === 'string'
    ? deviceId.exact
    : null;
}
