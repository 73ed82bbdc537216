// The IPC channels between the preload and main: commands go up one channel (invoke/handle) and events come down
// another; call audio has a request channel and a channel that carries each call's MessagePort to the window.

/** Renderer → main: `invoke(commandChannel, name, args)` answered with a Result. */
export const commandChannel = 'softphone:command';

/** Main → renderer: `send(eventChannel, name, payload)`. */
export const eventChannel = 'softphone:event';

/** Renderer → main: `invoke(audioOpenChannel, callId, request)` answered with a Result; the port follows. */
export const audioOpenChannel = 'softphone:audio-open';

/** Main → renderer: `webContents.postMessage(audioPortChannel, {callId, request}, [port])`. */
export const audioPortChannel = 'softphone:audio-port';
