// Peer: the `drachtio-sip` package, whose SipMessage keeps headers as raw strings and parses one on request.
import { SipMessage } from 'drachtio-sip';
import type { ParsePeer, UaFields } from './peer';
import { installedVersion } from './package-version';

function parseMessage(data: Buffer): SipMessage | undefined {
  try {
    // The constructor only takes text; decoding the datagram is part of what this parser costs.
    return new SipMessage(data.toString('utf8'));
  } catch {
    return undefined;
  }
}

function parseAndRead(data: Buffer, out: UaFields): boolean {
  const message = parseMessage(data);
  if (message === undefined) return false;
  out.branch = message.getParsedHeader('via')[0]?.params['branch'];
  out.fromTag = message.getParsedHeader('from').params['tag'];
  out.toTag = message.getParsedHeader('to').params['tag'];
  out.callId = message.get('call-id');
  const cseq = message.getParsedHeader('cseq');
  out.cseq = cseq.seq;
  out.method = cseq.method;
  if (message.has('contact')) {
    const contact = message.getParsedHeader('contact');
    out.contactUri = Array.isArray(contact) ? contact[0]?.uri : undefined;
  } else {
    out.contactUri = undefined;
  }
  return true;
}

export const drachtioPeer: ParsePeer = {
  label: `drachtio-sip ${installedVersion('drachtio-sip')}`,
  notes: [
    '`drachtio-sip`: `new SipMessage(text)` accepts only a string, so each Buffer is decoded with `toString("utf8")` inside the timed loop. The constructor splits headers and keeps them as raw strings; full mode calls `getParsedHeader` for via, from, to, cseq and contact (each call parses the raw header again) and `get("call-id")`.',
  ],
  parse: parseMessage,
  parseAndRead,
};
