// The Electron call audio relay with fakes for ipcMain and the window, and node's MessageChannel standing in for
// MessageChannelMain: only our page gets a port, frames cross both ways as ArrayBuffers, junk is dropped and
// counted, and a newer open or the call's end closes the older port with its reason.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { IpcMainInvokeEvent, WebFrameMain } from 'electron';
import type { Result } from '../../../main/contract/contract';
import { attachElectronAudio, type MainAudioChannel } from '../../../main/ipc/electron-audio';
import { audioOpenChannel, audioPortChannel } from '../../../main/ipc/electron-channels';
import type { TransportWebContents } from '../../../main/ipc/electron-transport';
import { CallAudioClaims } from '../../../main/services/call-audio-claims';
import { EventHub } from '../../../main/services/event-hub';
import { FakeCallAudio, frameOf } from '../../support/fake-call-audio';
import { call } from '../../support/fake-engine';

const appUrl = 'app://softphone/index.html';
type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<Result<null>>;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** MessageChannelMain's port1 as node's port: `{ data }` events, like Electron's. */
function mainChannel(): MainAudioChannel<MessagePort> {
  const { port1, port2 } = new MessageChannel();
  cleanups.push(() => port2.close());
  return {
    port1: {
      postMessage: (message) => port1.postMessage(message),
      on: (event: 'message' | 'close', listener: (value: { data: unknown }) => void) =>
        event === 'message'
          ? port1.on('message', (data: unknown) => listener({ data }))
          : port1.on('close', () => (listener as () => void)()),
      start: () => port1.start(),
      close: () => port1.close(),
    },
    port2,
  };
}

function setup() {
  const handlers = new Map<string, Handler>();
  const ipcMain = {
    handle: vi.fn((channel: string, handler: Handler) => void handlers.set(channel, handler)),
    removeHandler: vi.fn((channel: string) => void handlers.delete(channel)),
  };
  const mainFrame = {
    url: appUrl,
    processId: 7,
    frameToken: 'main',
    parent: null,
  } as unknown as WebFrameMain;
  const posted: { channel: string; message: unknown; ports: MessagePort[] }[] = [];
  const webContents = {
    mainFrame,
    send: vi.fn(),
    isDestroyed: () => false,
    postMessage: (channel: string, message: unknown, ports: MessagePort[]) =>
      void posted.push({ channel, message, ports }),
  } as TransportWebContents & { postMessage(channel: string, message: unknown, ports: MessagePort[]): void };
  const events = new EventHub();
  const audio = new FakeCallAudio();
  cleanups.push(() => audio.close());
  const claims = new CallAudioClaims({
    events,
    audioPort: (id) => (id === 'c1' ? audio.endpoint : undefined),
  });
  const relay = attachElectronAudio({
    ipcMain,
    webContents,
    claims,
    isAppUrl: (url) => url === appUrl,
    createChannel: mainChannel,
  });
  const fromPage = { sender: webContents, senderFrame: mainFrame } as unknown as IpcMainInvokeEvent;
  const open = (callId: unknown, request: unknown, event = fromPage) =>
    handlers.get(audioOpenChannel)!(event, callId, request);
  return { handlers, ipcMain, open, posted, audio, events, relay, mainFrame, webContents };
}

/** The messages a page port receives, as they arrive. */
function listen(port: MessagePort): unknown[] {
  const received: unknown[] = [];
  port.on('message', (message: unknown) => received.push(message));
  return received;
}

describe('Electron call audio', () => {
  it('gives a port only to our own page, for a call with audio, with well-formed arguments', async () => {
    const { open, posted, mainFrame, webContents } = setup();
    const subframe = { ...mainFrame, parent: mainFrame, frameToken: 'sub' };
    const foreign = { sender: webContents, senderFrame: subframe } as unknown as IpcMainInvokeEvent;
    expect(await open('c1', 1, foreign)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(await open('', 1)).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(await open('c1', '1')).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(await open('c9', 1)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(posted).toEqual([]);
    expect(await open('c1', 4)).toEqual({ ok: true, value: null });
    expect(posted.map(({ channel, message, ports }) => [channel, message, ports.length])).toEqual([
      [audioPortChannel, { callId: 'c1', request: 4 }, 1],
    ]);
  });

  it('carries frames both ways and drops what is not one frame', async () => {
    const { open, posted, audio, relay } = setup();
    await open('c1', 1);
    const page = posted[0]!.ports[0]!;
    const heard = listen(page);
    await audio.until(() => audio.listening);
    audio.speak(11);
    await vi.waitFor(() => expect(heard).toHaveLength(1));
    expect(heard[0]).toBeInstanceOf(ArrayBuffer);
    expect(new Int16Array(heard[0] as ArrayBuffer)[0]).toBe(11);

    const mic = frameOf(5).buffer as ArrayBuffer;
    page.postMessage(mic, [mic]);
    page.postMessage(new ArrayBuffer(100));
    page.postMessage('{"json":"never"}');
    page.postMessage(frameOf(6));
    await audio.until(() => audio.received.length === 2);
    expect(audio.received.map((frame) => frame[0])).toEqual([5, 6]);
    expect(relay.droppedFrames).toBe(2);
  });

  it('closes the older port as replaced when the call is opened again, and lets go when the page closes', async () => {
    const { open, posted, audio } = setup();
    await open('c1', 1);
    await open('c1', 2);
    const older = listen(posted[0]!.ports[0]!);
    await vi.waitFor(() => expect(older).toEqual([{ type: 'closed', reason: 'replaced' }]));
    const newer = posted[1]!.ports[0]!;
    await audio.until(() => audio.listening);
    newer.close();
    await audio.until(() => !audio.listening);
  });

  it('closes the port as ended when the call ends, and detaches its handler', async () => {
    const { open, posted, events, relay, handlers } = setup();
    await open('c1', 1);
    const received = listen(posted[0]!.ports[0]!);
    events.emit('call.changed', call({ id: 'c1', state: 'ended' }));
    await vi.waitFor(() => expect(received).toEqual([{ type: 'closed', reason: 'ended' }]));
    relay.detach();
    expect(handlers.has(audioOpenChannel)).toBe(false);
  });
});
