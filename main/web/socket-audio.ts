// One web-host socket's call audio: the streams it opened (audio.open → a stream number), the binary frames it
// sends for them and the speaker frames it receives (main/contract/wire-frames.ts has the layout). A tab never
// loses its socket over audio, with one exception: a socket that keeps sending frames while holding no stream is
// sending junk, and is closed once it has sent a few seconds of it.
//   - a frame of the wrong length, for a stream it does not hold (never opened, closed, another socket's) → dropped
//     and counted;
//   - a speaker frame while the socket already has more than a few frames unsent (a slow tab) → dropped and
//     counted, so a tab that cannot keep up hears a gap instead of a growing delay, and holds no memory;
//   - at most MAX_AUDIO_STREAMS_PER_SOCKET streams at once.
// Samples are little-endian on the wire and in memory (every platform the app runs on is little-endian).
import type { Result } from '../contract/contract';
import { AUDIO_PACKET_BYTES, MAX_AUDIO_STREAMS_PER_SOCKET } from '../contract/audio-stream';
import type { AudioOpened } from '../contract/wire-frames';
import type { AudioClaim, CallAudioClaims } from '../services/call-audio-claims';
import { audioClosedFrame, audioPacket, parseAudioPacket } from './wire-protocol';

/** Speaker frames a socket may have unsent (80 ms) before newer ones are dropped. */
export const SPEAKER_BACKLOG_FRAMES = 4;
/** Frames a socket holding no stream may send (5 s of audio) before it is closed as sending junk. */
export const STRAY_FRAME_LIMIT = 250;

/** What SocketAudio needs of its socket. */
export interface AudioSocket {
  readonly bufferedAmount: number;
  sendBinary(packet: Buffer): void;
  sendText(text: string): void;
}

export interface AudioCounters {
  /** Microphone frames dropped: wrong length, or for a stream this socket does not hold. */
  readonly droppedIn: number;
  /** Speaker frames dropped because the tab had too many unsent. */
  readonly droppedOut: number;
  /** Frames delivered each way. */
  readonly framesIn: number;
  readonly framesOut: number;
}

export class SocketAudio {
  readonly #socket: AudioSocket;
  readonly #claims: CallAudioClaims | null;
  readonly #streams = new Map<number, AudioClaim>();
  #nextStream = 1;
  /** Frames received while this socket held no stream, since it last held one. */
  #stray = 0;
  #counters = { droppedIn: 0, droppedOut: 0, framesIn: 0, framesOut: 0 };

  constructor(socket: AudioSocket, claims: CallAudioClaims | null) {
    this.#socket = socket;
    this.#claims = claims;
  }

  get counters(): AudioCounters {
    return { ...this.#counters };
  }

  get openStreams(): number {
    return this.#streams.size;
  }

  open(callId: string): Result<AudioOpened> {
    if (this.#claims === null) return failure('unavailable', 'This engine carries no call audio.');
    if (this.#streams.size >= MAX_AUDIO_STREAMS_PER_SOCKET)
      return failure(
        'unavailable',
        `A window may hold at most ${MAX_AUDIO_STREAMS_PER_SOCKET} audio streams.`,
      );
    // The same call opened twice on one socket: the newer stream replaces the older, as for two windows.
    const stream = this.#freeStreamNumber();
    const claim = this.#claims.claim(callId, {
      onFrame: (frame) => this.#speak(stream, frame),
      onClose: (reason) => {
        this.#streams.delete(stream);
        // `disconnected` only comes when the host itself stops, and the socket closes with it.
        if (reason !== 'disconnected')
          this.#socket.sendText(JSON.stringify(audioClosedFrame(stream, reason)));
      },
    });
    if (claim === null) return failure('not-found', `Call ${callId} has no audio.`);
    this.#streams.set(stream, claim);
    this.#stray = 0;
    return { ok: true, value: { stream } };
  }

  close(stream: number): Result<null> {
    const claim = this.#streams.get(stream);
    if (claim === undefined) return failure('not-found', `No audio stream ${stream} is open.`);
    this.#streams.delete(stream);
    claim.release();
    return { ok: true, value: null };
  }

  /** Takes one binary frame; false when the socket has sent junk for too long and must be closed. */
  receive(bytes: Uint8Array): boolean {
    const packet = bytes.byteLength === AUDIO_PACKET_BYTES ? parseAudioPacket(bytes) : null;
    const claim = packet === null ? undefined : this.#streams.get(packet.stream);
    if (packet === null || claim === undefined) {
      this.#counters.droppedIn += 1;
      if (this.#streams.size === 0) this.#stray += 1;
      return this.#stray <= STRAY_FRAME_LIMIT;
    }
    claim.sendFrameBytes(packet.payload);
    this.#counters.framesIn += 1;
    return true;
  }

  /** The socket went away: its calls go on, unheard until a window opens them again. */
  dispose(): void {
    for (const claim of this.#streams.values()) claim.release();
    this.#streams.clear();
  }

  #speak(stream: number, frame: Int16Array): void {
    if (this.#socket.bufferedAmount > SPEAKER_BACKLOG_FRAMES * AUDIO_PACKET_BYTES) {
      this.#counters.droppedOut += 1;
      return;
    }
    this.#socket.sendBinary(audioPacket(stream, frame));
    this.#counters.framesOut += 1;
  }

  /** The next number not in use, 1..65535; numbers are reused only after they wrap, so a late frame is no match. */
  #freeStreamNumber(): number {
    for (;;) {
      const candidate = this.#nextStream;
      this.#nextStream = candidate >= 0xffff ? 1 : candidate + 1;
      if (!this.#streams.has(candidate)) return candidate;
    }
  }
}

function failure(code: 'unavailable' | 'not-found', message: string): Result<never> {
  return { ok: false, error: { code, message } };
}
