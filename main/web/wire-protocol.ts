// The web host's side of the frames described in main/contract/wire-frames.ts.
// Every frame from the browser is untrusted: a frame we can answer (it has an id) gets an error result; one we
// cannot answer closes the socket with a policy-violation code. Nothing here throws.
import type { CommandError, EventName, Events, Result } from '../contract/contract';
import { callIdSchema } from '../contract/schemas';
import { AUDIO_HEADER_BYTES, AUDIO_PACKET_BYTES } from '../contract/audio-stream';
import type { AudioClosedFrame, EventFrame, ResultFrame } from '../contract/wire-frames';

/** WebSocket close codes (RFC 6455 §7.4.1) the host uses. */
export const CloseCode = {
  goingAway: 1001,
  unsupportedData: 1003,
  policyViolation: 1008,
} as const;

export type ClientFrameParse =
  | { readonly kind: 'command'; readonly id: number; readonly name: string; readonly args: unknown }
  | { readonly kind: 'audio-open'; readonly id: number; readonly callId: string }
  | { readonly kind: 'audio-close'; readonly id: number; readonly stream: number }
  | { readonly kind: 'reject'; readonly id: number; readonly error: CommandError }
  | { readonly kind: 'close'; readonly code: number; readonly reason: string };

export function parseClientFrame(text: string): ClientFrameParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'close', code: CloseCode.policyViolation, reason: 'frame is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { kind: 'close', code: CloseCode.policyViolation, reason: 'frame is not a JSON object' };
  const frame = value as Record<string, unknown>;
  const id = frame['id'];
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0)
    return { kind: 'close', code: CloseCode.policyViolation, reason: 'frame has no usable id' };
  if (frame['type'] === 'audio.open') {
    const callId = callIdSchema.safeParse(frame['callId']);
    return callId.success
      ? { kind: 'audio-open', id, callId: callId.data }
      : reject(id, 'audio.open needs a call id');
  }
  if (frame['type'] === 'audio.close') {
    const stream = frame['stream'];
    return isStreamNumber(stream)
      ? { kind: 'audio-close', id, stream }
      : reject(id, 'audio.close needs a stream number');
  }
  if (frame['type'] !== 'command') return reject(id, 'frame type must be "command"');
  const name = frame['name'];
  if (typeof name !== 'string') return reject(id, 'command name must be a string');
  // Commands without arguments may leave `args` out; anything else is checked against the command's schema.
  const args = frame['args'] === undefined ? [] : frame['args'];
  if (!Array.isArray(args)) return reject(id, 'args must be an array');
  return { kind: 'command', id, name, args };
}

export function resultFrame(id: number, result: Result<unknown>): ResultFrame {
  return { type: 'result', id, result };
}

export function eventFrame<E extends EventName>(name: E, payload: Events[E]): EventFrame<E> {
  return { type: 'event', name, payload };
}

export function audioClosedFrame(stream: number, reason: AudioClosedFrame['reason']): AudioClosedFrame {
  return { type: 'audio.closed', stream, reason };
}

export function isStreamNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 0xffff;
}

/** A binary frame's stream and samples (a view, not a copy), or null when it is not exactly one audio frame. */
export function parseAudioPacket(bytes: Uint8Array): { stream: number; payload: Uint8Array } | null {
  if (bytes.byteLength !== AUDIO_PACKET_BYTES) return null;
  const stream = bytes[0]! | (bytes[1]! << 8);
  if (stream === 0) return null;
  return { stream, payload: bytes.subarray(AUDIO_HEADER_BYTES) };
}

/** One speaker frame for the wire: the one copy of the samples, behind the stream number. */
export function audioPacket(stream: number, frame: Int16Array): Buffer {
  const packet = Buffer.allocUnsafe(AUDIO_PACKET_BYTES);
  packet.writeUInt16LE(stream, 0);
  Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).copy(packet, AUDIO_HEADER_BYTES);
  return packet;
}

function reject(id: number, message: string): ClientFrameParse {
  return { kind: 'reject', id, error: { code: 'invalid-argument', message } };
}
