// The contract over Electron IPC: one `handle` for every command and one `send` for every event. A command is only
// answered for our own window's main frame showing our own page; anything else (a subframe, a foreign page that
// somehow loaded, another window) gets `unauthorized`, because IPC is the door to the engine and its secrets.
import type { IpcMain, IpcMainInvokeEvent, WebContents, WebFrameMain } from 'electron';
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import type { CommandDispatcher, EngineEventSource, Result } from '../contract/contract';
import { commandChannel, eventChannel } from './electron-channels';

export type TransportWebContents = Pick<WebContents, 'mainFrame' | 'send' | 'isDestroyed'>;

export interface ElectronTransportOptions {
  readonly ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  /** The one window whose page may talk to the engine. */
  readonly webContents: TransportWebContents;
  readonly router: CommandDispatcher;
  readonly events: EngineEventSource;
  /** Whether a URL is our own page (the packaged file or the development server). */
  readonly isAppUrl: (url: string) => boolean;
  readonly logger?: Logger;
}

export type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

const unauthorized: Result<never> = {
  ok: false,
  error: { code: 'unauthorized', message: 'This page is not allowed to talk to the softphone.' },
};

/** True when the IPC message came from the main frame of our window while it shows our page. */
export function isOwnMainFrame(
  event: SenderEvent,
  webContents: TransportWebContents,
  isAppUrl: (url: string) => boolean,
): boolean {
  if (event.sender !== webContents) return false;
  const frame: WebFrameMain | null = event.senderFrame;
  if (frame === null || frame.parent !== null) return false;
  const main = webContents.mainFrame;
  const sameFrame =
    frame === main || (frame.processId === main.processId && frame.frameToken === main.frameToken);
  return sameFrame && isAppUrl(frame.url);
}

/** Registers the command handler and forwards events; returns the function that detaches both. */
export function attachElectronTransport(options: ElectronTransportOptions): () => void {
  const { ipcMain, webContents, router, events, isAppUrl } = options;
  const logger = options.logger ?? silentLogger;

  ipcMain.handle(commandChannel, async (event, name: unknown, args: unknown): Promise<Result<unknown>> => {
    if (!isOwnMainFrame(event, webContents, isAppUrl)) {
      logger.log('warn', 'refused a command from a frame that is not our page', {
        url: event.senderFrame?.url ?? null,
      });
      return unauthorized;
    }
    try {
      return await router.dispatch(name, args);
    } catch (error) {
      // The router promises never to throw; this keeps a broken promise from surfacing as an IPC exception.
      logger.log('error', 'command dispatch threw', {
        error: error instanceof Error ? error.stack : String(error),
      });
      return { ok: false, error: { code: 'internal', message: 'Something went wrong inside the app.' } };
    }
  });

  const unsubscribe = events.subscribe((name, payload) => {
    if (webContents.isDestroyed()) return;
    // Events carry account state: only deliver them while our own page is what the window shows.
    if (!isAppUrl(webContents.mainFrame.url)) return;
    webContents.send(eventChannel, name, payload);
  });

  return () => {
    unsubscribe();
    ipcMain.removeHandler(commandChannel);
  };
}
