// Sandboxed preload: exposes `window.softphone` (domain methods for every command of the contract, `on` for its
// events, `openAudio` for a call's audio port) with contextBridge; ipcRenderer itself never reaches the page.
// electron-vite bundles this into one CommonJS file whose only import is `electron`, as a sandboxed preload requires.
import { contextBridge, ipcRenderer } from 'electron';
import { createElectronSoftphoneApi, forwardAudioPorts } from '../ipc/electron-preload-api';

contextBridge.exposeInMainWorld('softphone', createElectronSoftphoneApi(ipcRenderer));
// Call audio ports go to the page as window messages to our own origin; the bridge checks source and origin.
// (This file compiles without the DOM library, hence the narrow view of the page's window.)
const page = globalThis as unknown as {
  readonly location: { readonly origin: string };
  postMessage(message: unknown, targetOrigin: string, transfer: readonly unknown[]): void;
};
forwardAudioPorts(ipcRenderer, (message, port) => page.postMessage(message, page.location.origin, [port]));
