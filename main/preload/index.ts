// Sandboxed preload: exposes `window.softphone` (domain methods for every command of the contract, and `on` for its
// events) with contextBridge; ipcRenderer itself never reaches the page. electron-vite bundles this into one
// CommonJS file whose only import is `electron`, as a sandboxed preload requires.
import { contextBridge, ipcRenderer } from 'electron';
import { createElectronSoftphoneApi } from '../ipc/electron-preload-api';

contextBridge.exposeInMainWorld('softphone', createElectronSoftphoneApi(ipcRenderer));
