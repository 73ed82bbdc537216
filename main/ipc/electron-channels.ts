// The two IPC channels between the preload and main. Nothing else travels over Electron IPC: commands go up one
// channel (invoke/handle) and events come down the other.

/** Renderer → main: `invoke(commandChannel, name, args)` answered with a Result. */
export const commandChannel = 'softphone:command';

/** Main → renderer: `send(eventChannel, name, payload)`. */
export const eventChannel = 'softphone:event';
