// RFC 3261 §18.2.1 and RFC 3581 §4: a server stamps the top Via of a request with where it really came from, and
// §18.2.2 / RFC 3581 §4 decide where the response goes. §18.1.2: a client drops responses whose top Via is not its own.
import type { SipMessage } from '../message/message';
import { type Via, formatVia } from '../message/via';
import { splitTopLevel } from '../message/scan';
import { bareHost } from '../message/uri';
import type { Destination, MessageSource } from './types';

/** Adds `received` when the sent-by host differs from the source address and fills an empty `rport`. */
export function stampReceived(message: SipMessage, source: MessageSource): void {
  const top = message.topVia;
  if (!top) return;
  const hostDiffers = bareHost(top.host).toLowerCase() !== source.address.toLowerCase();
  const wantsRport = top.rport === true;
  if (!hostDiffers && !wantsRport) return;
  const params = new Map(top.params);
  // RFC 3581 §4: with rport, received is added even when the host matches.
  if (hostDiffers || wantsRport) params.set('received', source.address);
  if (wantsRport) params.set('rport', String(source.port));
  replaceTopVia(message, { ...top, params });
}

/** Rewrites the first Via value, keeping every other Via line and value as it was. */
export function replaceTopVia(message: SipMessage, via: Via): void {
  const firstLine = message.headerLines('via')[0];
  if (firstLine === undefined) return;
  const parts = splitTopLevel(firstLine) ?? [firstLine];
  parts[0] = formatVia(via);
  message.replaceHeaderLine('via', 0, parts.join(', '));
}

/** Where a response to a request from `source` goes (RFC 3261 §18.2.2, RFC 3581 §4). */
export function responseDestination(message: SipMessage, source: MessageSource): Destination {
  const top = message.topVia;
  if (!top) return { protocol: source.protocol, address: source.address, port: source.port };
  if (source.protocol === 'tcp') {
    const address = top.received ?? source.address;
    return { protocol: 'tcp', address, port: top.port ?? 5060 };
  }
  if (typeof top.rport === 'number')
    return { protocol: 'udp', address: top.received ?? source.address, port: top.rport };
  if (top.received !== undefined) return { protocol: 'udp', address: top.received, port: top.port ?? 5060 };
  // Without received the sent-by host equals the source address (else we would have stamped it).
  return { protocol: 'udp', address: source.address, port: top.port ?? 5060 };
}
