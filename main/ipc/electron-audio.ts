// Call audio for the Electron window: on `openAudio(callId, request)` from our own page, main creates a
// MessageChannelMain, keeps port1 joined to the call's audio stream and sends port2 to the window
// (`webContents.postMessage`), whose preload hands it to the page. Frames cross as bare ArrayBuffers of 1,920 bytes
// (structured clone between processes: binary, never JSON); the page's frames reach the media worker with one copy.
//
//   page ──ArrayBuffer──► port1 ──sendFrameBytes──► media worker        (mic)
//   page ◄──ArrayBuffer── port1 ◄──onFrame────────── media worker        (speaker)
//   page ◄──{type:'closed', reason}── port1, then port1 closes           (call ended, or replaced by a newer open)
//
// The port closing from the page's side (the page closed the channel, reloaded or went away) lets go of the call's
// audio; the call goes on. The page's port is in a renderer, so nothing it sends is trusted: a message that is not
// one frame is dropped and counted.
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { AUDIO_PAYLOAD_BYTES, type AudioPortClosed } from '../contract/audio-stream';
import type { Result } from '../contract/contract';
import { callIdSchema } from '../contract/schemas';
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import type { CallAudioClaims } from '../services/call-audio-claims';
import { audioOpenChannel, audioPortChannel } from './electron-channels';
import { isOwnMainFrame, type TransportWebContents } from './electron-transport';

/** The part of MessagePortMain the relay uses. */
export interface MainAudioPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { readonly data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  start(): void;
  close(): void;
}

/** One MessageChannelMain: port1 stays in main, port2 goes to the window. */
export interface MainAudioChannel<Remote> {
  readonly port1: MainAudioPort;
  readonly port2: Remote;
}

export interface ElectronAudioOptions<Remote> {
  readonly ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  readonly webContents: TransportWebContents & {
    postMessage(channel: string, message: unknown, transfer: Remote[]): void;
  };
  readonly claims: CallAudioClaims;
  readonly isAppUrl: (url: string) => boolean;
  /** `() => new MessageChannelMain()` in the app. */
  readonly createChannel: () => MainAudioChannel<Remote>;
  readonly logger?: Logger;
}

export interface ElectronAudio {
  /** Messages from the page that were not one frame, or came after the claim ended. */
  readonly droppedFrames: number;
  /** Stops answering openAudio; ports already handed out keep working until they close. */
  detach(): void;
}

function failure(code: 'unauthorized' | 'invalid-argument' | 'not-found', message: string): Result<never> {
  return { ok: false, error: { code, message } };
}

export function attachElectronAudio<Remote>(options: ElectronAudioOptions<Remote>): ElectronAudio {
  const { ipcMain, webContents, claims, isAppUrl, createChannel } = options;
  const logger = options.logger ?? silentLogger;
  let dropped = 0;

  const open = (event: IpcMainInvokeEvent, callId: unknown, request: unknown): Result<null> => {
    if (!isOwnMainFrame(event, webContents, isAppUrl)) {
      logger.log('warn', 'refused call audio to a frame that is not our page', {
        url: event.senderFrame?.url ?? null,
      });
      return failure('unauthorized', 'This page is not allowed to hear calls.');
    }
    const id = callIdSchema.safeParse(callId);
    if (!id.success || typeof request !== 'number' || !Number.isSafeInteger(request))
      return failure('invalid-argument', 'openAudio needs a call id and a request number.');
    const { port1, port2 } = createChannel();
    const claim = claims.claim(id.data, {
      onFrame: (frame) => port1.postMessage(ownBuffer(frame)),
      onClose: (reason) => {
        if (reason !== 'disconnected')
          port1.postMessage({ type: 'closed', reason } satisfies AudioPortClosed);
        port1.close();
      },
    });
    if (claim === null) {
      port1.close();
      return failure('not-found', `Call ${id.data} has no audio.`);
    }
    port1.on('message', ({ data }) => {
      const bytes = frameBytes(data);
      if (bytes === null || !claim.held) dropped += 1;
      else claim.sendFrameBytes(bytes);
    });
    port1.on('close', () => claim.release());
    port1.start();
    webContents.postMessage(audioPortChannel, { callId: id.data, request }, [port2]);
    return { ok: true, value: null };
  };

  ipcMain.handle(audioOpenChannel, (event, callId: unknown, request: unknown) =>
    Promise.resolve(open(event, callId, request)),
  );

  return {
    get droppedFrames() {
      return dropped;
    },
    detach: () => ipcMain.removeHandler(audioOpenChannel),
  };
}

/** The bytes of one frame from the page (an ArrayBuffer, or a typed-array view of one), or null. */
function frameBytes(data: unknown): Uint8Array | null {
  if (data instanceof ArrayBuffer)
    return data.byteLength === AUDIO_PAYLOAD_BYTES ? new Uint8Array(data) : null;
  if (ArrayBuffer.isView(data) && data.byteLength === AUDIO_PAYLOAD_BYTES)
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

/** The speaker frame's samples as an ArrayBuffer of exactly one frame (the worker's buffers already are). */
function ownBuffer(frame: Int16Array): ArrayBuffer | ArrayBufferLike {
  if (frame.byteOffset === 0 && frame.buffer.byteLength === frame.byteLength) return frame.buffer;
  return frame.slice().buffer;
}
