// Direction algebra for RFC 3264 §5.1/§6.1 and RFC 6337: a direction is a pair (may send, may receive) from the
// point of view of whoever wrote it; an answer mirrors the offer and may only narrow it.
import type { Direction } from './session-description';

export interface Flow {
  readonly send: boolean;
  readonly receive: boolean;
}

export function toFlow(direction: Direction): Flow {
  return {
    send: direction === 'sendrecv' || direction === 'sendonly',
    receive: direction === 'sendrecv' || direction === 'recvonly',
  };
}

export function fromFlow(flow: Flow): Direction {
  if (flow.send && flow.receive) return 'sendrecv';
  if (flow.send) return 'sendonly';
  if (flow.receive) return 'recvonly';
  return 'inactive';
}

/** The same stream seen from the other end: their sendonly is our recvonly (RFC 3264 §6.1). */
export function mirror(direction: Direction): Direction {
  const flow = toFlow(direction);
  return fromFlow({ send: flow.receive, receive: flow.send });
}

/** What both allow. */
export function intersect(a: Direction, b: Direction): Direction {
  const left = toFlow(a);
  const right = toFlow(b);
  return fromFlow({ send: left.send && right.send, receive: left.receive && right.receive });
}
