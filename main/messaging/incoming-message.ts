// RFC 3428 §7: what an incoming MESSAGE is, read from the request alone, before anyone stores it: text for the
// person (text/plain or a simple message/cpim), an is-composing indication (RFC 3994), or a refusal with the status
// that says why — 413 past the size we take, 415 with Accept for a type (or charset or encoding) we cannot read, 400
// for an unreadable is-composing document or From. Never throws: every body is somebody else's bytes.
import { MESSAGE_BODY_MAX_BYTES } from '../contract/limits';
import type { SipRequest } from '../sip/message/message';
import { type Uri, formatUri, isSipUri } from '../sip/message/uri';
import { type IsComposing, parseIsComposing } from './is-composing-document';
import { ACCEPTED_MESSAGE_TYPES, readMessageBody } from './message-body';
import { peerKeyOf } from './peer-key';
import { messageDate, saneDate } from './sip-date';

export type IncomingRead =
  | {
      readonly kind: 'text';
      /** The sender's address of record: the From URI without parameters or password. */
      readonly from: string;
      /** Who the sender is, however its address is spelled (peer-key.ts). */
      readonly peerKey: string;
      readonly fromName: string | null;
      readonly body: string;
      readonly date: number | null;
      readonly dedupeKey: string;
    }
  | {
      readonly kind: 'composing';
      readonly from: string;
      readonly peerKey: string;
      readonly indication: IsComposing;
    }
  | {
      readonly kind: 'refuse';
      readonly status: number;
      readonly reason: string;
      readonly headers?: ReadonlyArray<readonly [string, string]>;
    };

export function readIncomingMessage(
  request: SipRequest,
  receivedAt: number,
  maxBytes = MESSAGE_BODY_MAX_BYTES,
): IncomingRead {
  const body = request.body;
  if (body.length > maxBytes) return refuse(413, `Request Entity Too Large (over ${maxBytes} bytes)`);
  const from = request.tryFrom();
  const callId = request.tryCallId();
  const cseq = request.tryCSeq();
  if (!from.ok || !callId.ok || !cseq.ok)
    return refuse(400, 'Bad Request (unreadable From, Call-ID or CSeq)');
  // RFC 3261 §20.12: we apply no content coding; §21.4.13 says 415 with the codings we take.
  const encoding = request.header('content-encoding')?.trim().toLowerCase();
  if (encoding !== undefined && encoding !== '' && encoding !== 'identity')
    return refuse(415, `Unsupported Media Type (${encoding.slice(0, 40)} coding)`, [
      ['Accept-Encoding', 'identity'],
    ]);
  const read = readMessageBody(request.header('content-type'), body);
  const sender = addressOfRecord(from.value.uri);
  // A From that is neither SIP nor tel (RFC 3261 §20.20 allows any absolute URI) is keyed as written.
  const peer = peerKeyOf(from.value.uri) ?? sender;
  switch (read.kind) {
    case 'unsupported':
      return refuse(415, `Unsupported Media Type (${read.detail.slice(0, 80)})`, [
        ['Accept', ACCEPTED_MESSAGE_TYPES.join(', ')],
      ]);
    case 'composing': {
      const indication = parseIsComposing(read.bytes);
      if (!indication.ok) return refuse(400, `Bad Request (is-composing: ${indication.error.code})`);
      return { kind: 'composing', from: sender, peerKey: peer, indication: indication.value };
    }
    case 'text':
      return {
        kind: 'text',
        from: sender,
        peerKey: peer,
        fromName: from.value.displayName ?? null,
        body: read.text,
        date: messageDate(request.header('date'), receivedAt) ?? saneDate(read.dateTime, receivedAt),
        // A retransmission outside the transaction, or a server delivering the same request twice, keeps both.
        dedupeKey: `sip:${callId.value}:${cseq.value.seq}`,
      };
  }
}

/**
 * The From URI without its parameters and headers, the same sender whatever tags or transport it names, and without
 * a password (RFC 3261 §19.1.1 deprecates them; one a sender puts there is never stored or shown).
 */
export function addressOfRecord(uri: Uri): string {
  return formatUri(
    isSipUri(uri) ? { ...uri, password: undefined, params: new Map(), headers: new Map() } : uri,
  );
}

function refuse(
  status: number,
  reason: string,
  headers?: ReadonlyArray<readonly [string, string]>,
): IncomingRead {
  return { kind: 'refuse', status, reason, ...(headers ? { headers } : {}) };
}
