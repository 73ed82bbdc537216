// When each call's INVITE and ACK reached the SIPp answerer, read off its -trace_msg log: the far end's view of a
// call's setup, the same for every caller (our engine or baresip), on SIPp's wall clock.
import type { LoggedMessage } from '../../test/interop/support/sipp';

export interface CallArrival {
  readonly callId: string;
  /** Wall-clock ms (epoch) SIPp logged the first INVITE of the call as received. */
  readonly inviteAt: number;
  /** Wall-clock ms SIPp logged the first ACK of the call as received; undefined if none came. */
  readonly ackAt: number | undefined;
}

function callIdOf(message: LoggedMessage): string | undefined {
  // RFC 3261 §7.3.3: `i` is Call-ID's compact form.
  return message.header('Call-ID') ?? message.header('i');
}

/** The calls in the order their INVITEs arrived; retransmissions and re-INVITEs (same Call-ID) are ignored. */
export function callArrivals(messages: readonly LoggedMessage[]): CallArrival[] {
  const calls = new Map<string, { inviteAt: number; ackAt: number | undefined }>();
  for (const message of messages) {
    if (message.direction !== 'received') continue;
    const callId = callIdOf(message);
    if (callId === undefined) continue;
    if (message.method === 'INVITE' && !calls.has(callId)) {
      calls.set(callId, { inviteAt: message.time, ackAt: undefined });
    } else if (message.method === 'ACK') {
      const call = calls.get(callId);
      if (call !== undefined && call.ackAt === undefined) call.ackAt = message.time;
    }
  }
  return [...calls].map(([callId, times]) => ({ callId, ...times }));
}
