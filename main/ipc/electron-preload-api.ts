// `window.softphone` over Electron IPC, for the preload: commands go out with one invoke on the command channel and
// events come in on the event channel, delivered to the page as payloads only — the IPC event object (whose `sender`
// is ipcRenderer) never reaches a listener. Kept apart from the preload entry so that entry exports nothing.
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import { AUDIO_PORT_MESSAGE, type AudioPortMessage } from '../contract/audio-stream';
import type { CommandName, EventName, Result } from '../contract/contract';
import { audioOpenChannel, audioPortChannel, commandChannel, eventChannel } from './electron-channels';
import type { EventListener, SoftphoneApi } from '../contract/softphone-api';
import { buildSoftphoneApi, isEventName } from '../contract/softphone-api';

const transportFailure: Result<never> = {
  ok: false,
  error: { code: 'internal', message: 'The app did not answer; try again or restart it.' },
};

export function createElectronSoftphoneApi(ipc: Pick<IpcRenderer, 'invoke' | 'on'>): SoftphoneApi {
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();

  ipc.on(eventChannel, (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
    if (!isEventName(name)) return;
    // A copy: a listener may unsubscribe (itself or another) while we iterate.
    for (const listener of [...(listeners.get(name) ?? [])]) {
      try {
        listener(payload);
      } catch (error) {
        console.error(`softphone: a listener for ${name} threw`, error);
      }
    }
  });

  const invoke = async (name: CommandName, args: readonly unknown[]): Promise<Result<unknown>> => {
    try {
      return (await ipc.invoke(commandChannel, name, args)) as Result<unknown>;
    } catch (error) {
      console.error(`softphone: ${name} failed in transit`, error);
      return transportFailure;
    }
  };

  const listen = <E extends EventName>(event: E, listener: EventListener<E>): (() => void) => {
    const forEvent = listeners.get(event) ?? new Set<(payload: unknown) => void>();
    listeners.set(event, forEvent);
    // Each subscription gets its own wrapper, so subscribing the same function twice needs two unsubscribes.
    const wrapper = (payload: unknown) => listener(payload as Parameters<EventListener<E>>[0]);
    forEvent.add(wrapper);
    return () => {
      forEvent.delete(wrapper);
    };
  };

  const openAudio = async (callId: string, request: number): Promise<Result<null>> => {
    try {
      return (await ipc.invoke(audioOpenChannel, callId, request)) as Result<null>;
    } catch (error) {
      console.error('softphone: opening call audio failed in transit', error);
      return transportFailure;
    }
  };

  return buildSoftphoneApi(invoke, listen, { openAudio });
}

/** Hands a port to the page: `window.postMessage(message, ownOrigin, ports)` in the real preload. */
export type PostPortToPage = (message: AudioPortMessage, port: RendererPort) => void;

/** The page's MessagePort as Electron's renderer types name it (this module compiles without the DOM library). */
export type RendererPort = IpcRendererEvent['ports'][number];

/**
 * Forwards each call audio port main sends to the page, as a window message: contextBridge cannot carry ports.
 * Only the port and two checked fields cross; anything malformed is closed and dropped.
 */
export function forwardAudioPorts(ipc: Pick<IpcRenderer, 'on'>, post: PostPortToPage): void {
  ipc.on(audioPortChannel, (event: IpcRendererEvent, data: unknown) => {
    const ports = event.ports;
    const message = data as { callId?: unknown; request?: unknown } | null;
    const port = ports.length === 1 ? ports[0] : undefined;
    if (
      port === undefined ||
      typeof message !== 'object' ||
      message === null ||
      typeof message.callId !== 'string' ||
      typeof message.request !== 'number' ||
      !Number.isSafeInteger(message.request)
    ) {
      for (const extra of ports) extra.close();
      return;
    }
    post({ type: AUDIO_PORT_MESSAGE, callId: message.callId, request: message.request }, port);
  });
}
