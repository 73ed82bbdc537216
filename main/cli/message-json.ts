// The JSON shape `softphone parse` prints for a message: stable field names a script can rely on.
import type { SipMessage } from '../sip/message/message';
import type { AddressHeader, NameAddr } from '../sip/message/name-addr';
import { formatUri } from '../sip/message/uri';

export interface AddressJson {
  displayName: string | null;
  uri: string;
  tag: string | null;
}

export interface MessageJson {
  kind: 'request' | 'response';
  method: string | null;
  requestUri: string | null;
  status: number | null;
  reason: string | null;
  callId: string;
  cseq: { seq: number; method: string };
  from: AddressJson;
  to: AddressJson;
  via: Array<{
    transport: string;
    host: string;
    port: number | null;
    branch: string | null;
    received: string | null;
    rport: number | boolean | null;
  }>;
  contact: Array<{ displayName: string | null; uri: string; params: Record<string, string | null> }>;
  maxForwards: number | null;
  contentLength: number;
  headers: Array<[string, string]>;
  body: string;
  bodyEncoding: 'utf8' | 'base64';
}

export function messageToJson(message: SipMessage): MessageJson {
  const isRequest = message.kind === 'request';
  return {
    kind: message.kind,
    method: isRequest ? message.method : null,
    requestUri: isRequest ? message.requestUriText : null,
    status: isRequest ? null : message.status,
    reason: isRequest ? null : message.reason,
    callId: message.callId,
    cseq: { seq: message.cseq.seq, method: message.cseq.method },
    from: addressJson(message.from),
    to: addressJson(message.to),
    via: message.via.map((via) => ({
      transport: via.transport,
      host: via.host,
      port: via.port ?? null,
      branch: via.branch ?? null,
      received: via.received ?? null,
      rport: via.rport ?? null,
    })),
    contact: message.contact.map((contact: NameAddr) => ({
      displayName: contact.displayName ?? null,
      uri: formatUri(contact.uri),
      params: Object.fromEntries(contact.params),
    })),
    maxForwards: message.maxForwards ?? null,
    contentLength: message.contentLength,
    headers: message.headers.map((field) => [field.name, field.value]),
    ...bodyJson(message.body),
  };
}

function addressJson(address: AddressHeader): AddressJson {
  return { displayName: address.displayName ?? null, uri: formatUri(address.uri), tag: address.tag ?? null };
}

function bodyJson(body: Uint8Array): { body: string; bodyEncoding: 'utf8' | 'base64' } {
  const buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  try {
    return { body: new TextDecoder('utf-8', { fatal: true }).decode(buffer), bodyEncoding: 'utf8' };
  } catch {
    return { body: buffer.toString('base64'), bodyEncoding: 'base64' };
  }
}
