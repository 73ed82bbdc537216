// RFC 3515 REFER for blind transfer: the Refer-To we send and read, and the message/sipfrag bodies of the NOTIFYs
// that report the referred call's progress (§2.4.5: the status line of the newest response, "SIP/2.0 200 OK").
import { type NameAddr, formatNameAddr, parseNameAddr } from '../../sip/message/name-addr';
import { type SipUri, isSipUri } from '../../sip/message/uri';

export const SIPFRAG_TYPE = 'message/sipfrag';
/** RFC 3515 §2.4.4: the implicit subscription a REFER makes lasts this long unless ended earlier. */
export const REFER_SUBSCRIPTION_SECONDS = 60;

export interface ReferTarget {
  /** Where to call, without the URI's headers. */
  readonly target: SipUri;
  /** The Replaces the new INVITE must carry (attended transfer, RFC 3891 §5), from the URI's `?Replaces=`. */
  readonly replaces?: string;
}

/**
 * The target of a REFER: its Refer-To must be one SIP URI. Of the headers it may carry for the new request only
 * Replaces is followed (RFC 3515 §2.1 lets the recipient ignore the others).
 */
export function readReferTo(value: string | undefined): ReferTarget | undefined {
  if (value === undefined) return undefined;
  const parsed = parseNameAddr(value.trim());
  if (!parsed.ok) return undefined;
  const uri = parsed.value.uri;
  if (!isSipUri(uri)) return undefined;
  let replaces: string | undefined;
  for (const [name, header] of uri.headers) if (name.toLowerCase() === 'replaces') replaces = header;
  const target: SipUri = { ...uri, headers: new Map() };
  return replaces === undefined || parseReplaces(replaces) === undefined ? { target } : { target, replaces };
}

/** A Refer-To for `target`, with `?Replaces=` (escaped by the URI formatter) for an attended transfer. */
export function formatReferTo(target: SipUri, replaces?: string): string {
  const headers = new Map<string, string>();
  if (replaces !== undefined) headers.set('Replaces', replaces);
  const address: NameAddr = { uri: { ...target, headers }, params: new Map() };
  return formatNameAddr(address);
}

/**
 * RFC 3891 §6.1: `Replaces: call-id;to-tag=...;from-tag=...[;early-only]`. The tags are seen from the UA that
 * receives it: to-tag is its own (local) tag, from-tag the other end's.
 */
export interface Replaces {
  readonly callId: string;
  readonly toTag: string;
  readonly fromTag: string;
  readonly earlyOnly: boolean;
}

export function parseReplaces(value: string | undefined): Replaces | undefined {
  if (value === undefined) return undefined;
  const [callId, ...params] = value.split(';').map((part) => part.trim());
  if (!callId) return undefined;
  let toTag: string | undefined;
  let fromTag: string | undefined;
  let earlyOnly = false;
  for (const param of params) {
    const [name, tag] = param.split('=').map((part) => part.trim());
    const key = name?.toLowerCase();
    if (key === 'to-tag') toTag = tag;
    else if (key === 'from-tag') fromTag = tag;
    else if (key === 'early-only') earlyOnly = true;
  }
  if (!toTag || !fromTag) return undefined;
  return { callId, toTag, fromTag, earlyOnly };
}

export function formatReplaces(replaces: Omit<Replaces, 'earlyOnly'>): string {
  return `${replaces.callId};to-tag=${replaces.toTag};from-tag=${replaces.fromTag}`;
}

/** A sipfrag body with the status line of a response (§2.4.5). */
export function sipfrag(status: number, reason: string): string {
  return `SIP/2.0 ${status} ${reason}\r\n`;
}

/** The status a sipfrag body reports; undefined when it holds no status line. */
export function readSipfragStatus(body: string): number | undefined {
  const match = /^SIP\/2\.0\s+(\d{3})\b/.exec(body.trimStart());
  return match ? Number(match[1]) : undefined;
}
