// RFC 3515 REFER for blind transfer: the Refer-To we send and read, and the message/sipfrag bodies of the NOTIFYs
// that report the referred call's progress (§2.4.5: the status line of the newest response, "SIP/2.0 200 OK").
import { type NameAddr, formatNameAddr, parseNameAddr } from '../../sip/message/name-addr';
import { type SipUri, isSipUri } from '../../sip/message/uri';

export const SIPFRAG_TYPE = 'message/sipfrag';
/** RFC 3515 §2.4.4: the implicit subscription a REFER makes lasts this long unless ended earlier. */
export const REFER_SUBSCRIPTION_SECONDS = 60;

/** The target of a REFER: its Refer-To must be one SIP URI (method and headers in it are not followed here). */
export function readReferTo(value: string | undefined): SipUri | undefined {
  if (value === undefined) return undefined;
  const parsed = parseNameAddr(value.trim());
  if (!parsed.ok) return undefined;
  const uri = parsed.value.uri;
  if (!isSipUri(uri)) return undefined;
  // A Refer-To may carry headers for the new request (`?Replaces=...`); a blind transfer ignores them.
  return { ...uri, headers: new Map() };
}

export function formatReferTo(target: SipUri): string {
  const address: NameAddr = { uri: target, params: new Map() };
  return formatNameAddr(address);
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
