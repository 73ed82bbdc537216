// Sandboxed preload: exposes domain methods only, never ipcRenderer. The contract arrives with the desktop-app issue.
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('softphone', Object.freeze({ version: '0.1.0' }));
