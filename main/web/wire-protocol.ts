// The web host's side of the frames described in main/contract/wire-frames.ts.
// Every frame from the browser is untrusted: a frame we can answer (it has an id) gets an error result; one we
// cannot answer closes the socket with a policy-violation code. Nothing here throws.
import type { CommandError, EventName, Events, Result } from '../contract/contract';
import type { EventFrame, ResultFrame } from '../contract/wire-frames';

/** WebSocket close codes (RFC 6455 §7.4.1) the host uses. */
export const CloseCode = {
  goingAway: 1001,
  unsupportedData: 1003,
  policyViolation: 1008,
} as const;

export type ClientFrameParse =
  | { readonly kind: 'command'; readonly id: number; readonly name: string; readonly args: unknown }
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

function reject(id: number, message: string): ClientFrameParse {
  return { kind: 'reject', id, error: { code: 'invalid-argument', message } };
}
