// RFC 3261 §18.2.1 and RFC 3581 §4: a server stamps the top Via of a request with where it really came from, and
// §18.2.2 / RFC 3581 §4 decide where the response goes. §18.1.2: a client drops responses whose top Via is not its own.
import type { SipMessage } from '../message/message';
import { type Via, formatVia } from '../message/via';
import { splitTopLevel } from '../message/scan';
import { bareHost } from '../message/uri';
import type { Destination, MessageSource } from './types';

/**
 * Adds `received` when the sent-by host differs from the source address and fills an empty `rport`. A `received`
 * the sender wrote itself is replaced when it is not the source address: it would otherwise steer our responses
 * to whatever address the sender chose.
 */
export function stampReceived(message: SipMessage, source: MessageSource): void {
  const top = message.topVia;
  if (!top) return;
  const sourceAddress = source.address.toLowerCase();
  const hostDiffers = bareHost(top.host).toLowerCase() !== sourceAddress;
  const wantsRport = top.rport === true;
  const bogusReceived = top.received !== undefined && bareHost(top.received).toLowerCase() !== sourceAddress;
  if (!hostDiffers && !wantsRport && !bogusReceived) return;
  const params = new Map(top.params);
  // RFC 3581 §4: with rport, received is added even when the host matches.
  params.set('received', source.address);
  if (wantsRport) params.set('rport', String(source.port));
  replaceTopVia(message, { ...top, params });
}

/** Rewrites the top Via value (the first non-empty one, as `topVia` reads it), keeping every other as it was. */
export function replaceTopVia(message: SipMessage, via: Via): void {
  const lines = message.headerLines('via');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const parts = splitTopLevel(line) ?? [line];
    const first = parts.findIndex((part) => part.length > 0);
    if (first < 0) continue;
    parts[first] = formatVia(via);
    message.replaceHeaderLine('via', index, parts.filter((part) => part.length > 0).join(', '));
    return;
  }
}

/** Where a response to a request from `source` goes (RFC 3261 §18.2.2, RFC 3581 §4). */
export function responseDestination(message: SipMessage, source: MessageSource): Destination {
  const top = message.topVia;
  if (!top) return { protocol: source.protocol, address: source.address, port: source.port };
  // RFC 3261 §25.1 has received without brackets; some peers bracket IPv6 anyway.
  const received = top.received === undefined ? undefined : bareHost(top.received);
  if (source.protocol === 'tcp') {
    // The connection the request came on is gone: open one to the listening port in sent-by.
    return { protocol: 'tcp', address: received ?? source.address, port: top.port ?? 5060 };
  }
  if (typeof top.rport === 'number')
    return { protocol: 'udp', address: received ?? source.address, port: top.rport };
  if (received !== undefined) return { protocol: 'udp', address: received, port: top.port ?? 5060 };
  // Without received the sent-by host equals the source address (else we would have stamped it).
  return { protocol: 'udp', address: source.address, port: top.port ?? 5060 };
}
