// The layout of a call's audio between the window and the engine, for both transports. Plain constants, so the
// window may import them (the only contract module besides limits.ts it takes values from).
//   web host   binary WebSocket frames [stream: uint16 little-endian][960 samples: int16 little-endian]; the
//              2-byte header keeps the samples 2-byte aligned in a received ArrayBuffer, so they are read in place.
//   Electron   a MessagePort per call, handed to the page by the preload as a window message
//              { type: AUDIO_PORT_MESSAGE, callId, request } with the port in `ports[0]`; frames are bare
//              ArrayBuffers of 1,920 bytes both ways, and the one control message is AudioPortClosed from main.

/** Bytes before the samples in a binary audio frame: the stream number, uint16 little-endian. */
export const AUDIO_HEADER_BYTES = 2;
/** One 20 ms frame: 960 samples of int16 little-endian, 48 kHz mono. */
export const AUDIO_PAYLOAD_BYTES = 1920;
export const AUDIO_PACKET_BYTES = AUDIO_HEADER_BYTES + AUDIO_PAYLOAD_BYTES;
/** Streams one socket may hold open at once (a window hears one call; a few spare for a swap in progress). */
export const MAX_AUDIO_STREAMS_PER_SOCKET = 4;

/** The window message that carries a call's audio port from the preload to the page (Electron). */
export const AUDIO_PORT_MESSAGE = 'softphone:audio-port';

export interface AudioPortMessage {
  readonly type: typeof AUDIO_PORT_MESSAGE;
  readonly callId: string;
  /** The number the page gave openAudio, so it can tell which request a port answers. */
  readonly request: number;
}

/** Main's last message on a call's port before it closes it: the call ended or another window took its audio. */
export interface AudioPortClosed {
  readonly type: 'closed';
  readonly reason: 'ended' | 'replaced';
}
