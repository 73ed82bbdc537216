// The seam between the window's audio (capture and playback worklets, renderer/src/lib/audio/) and the stream
// channel to the engine (renderer/src/lib/bridge.ts). One channel carries one call's audio: 20 ms frames of 16-bit
// PCM, mono, 48 kHz (960 samples), the engine's frame format (main/media/media-seams.ts). Frames are binary all the
// way (transferred buffers in Electron, binary WebSocket frames on the web host), never JSON.

/** Samples in one 20 ms frame at 48 kHz. */
export const AUDIO_FRAME_SAMPLES = 960;
export const AUDIO_SAMPLE_RATE = 48_000;

/** Why a channel closed, for the call screen's notice. */
export type AudioChannelCloseReason =
  /** The call ended, or the window closed the channel itself. */
  | 'ended'
  /** Another window (or a reloaded one) took this call's audio. */
  | 'replaced'
  /** The link to the engine dropped; a new channel can be opened once it is back. */
  | 'disconnected';

export interface AudioChannel {
  readonly callId: string;
  /**
   * Sends one microphone frame (exactly AUDIO_FRAME_SAMPLES samples). The channel may transfer the frame's buffer,
   * so the caller must not use it afterwards. A frame of another length is dropped and counted, never thrown.
   */
  send(frame: Int16Array): void;
  /** Calls the listener with each speaker frame as it arrives; the returned function stops it. */
  onFrame(listener: (frame: Int16Array) => void): () => void;
  /** Called once when the channel closes, whoever closed it. */
  onClose(listener: (reason: AudioChannelCloseReason) => void): () => void;
  /** Frames dropped on this side (wrong length, channel not open, too much queued). */
  readonly droppedFrames: number;
  close(): void;
}

/**
 * The plug between the controller that opens a call's channel (the one call that should be heard) and the window's
 * microphone and speaker (renderer/src/lib/audio/). The controller attaches the channel of the call that is up and
 * not held, and detaches it (before attaching another) when that changes; a detached device captures nothing.
 */
export interface CallAudioDevice {
  /** Starts capturing into `channel` and playing what it delivers; replaces any channel attached before. */
  attach(channel: AudioChannel): void;
  /** Stops capture and playback and lets go of the microphone. Safe to call when nothing is attached. */
  detach(): void;
}
