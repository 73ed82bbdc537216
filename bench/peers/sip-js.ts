// Peer: the `sip` package (kirm/sip.js), whose `parse` takes the datagram Buffer and parses every known header eagerly.
import { parse } from 'sip';
import type { ParsePeer, UaFields } from './peer';
import { installedVersion } from './package-version';

function parseAndRead(data: Buffer, out: UaFields): boolean {
  const message = parse(data);
  if (message === undefined) return false;
  const headers = message.headers;
  out.branch = headers.via?.[0]?.params['branch'];
  out.fromTag = headers.from?.params['tag'];
  out.toTag = headers.to?.params['tag'];
  out.callId = headers['call-id'];
  out.cseq = headers.cseq?.seq;
  out.method = headers.cseq?.method;
  const contact = headers.contact;
  out.contactUri = Array.isArray(contact) ? contact[0]?.uri : undefined;
  return true;
}

export const sipJsPeer: ParsePeer = {
  label: `sip ${installedVersion('sip')}`,
  notes: [
    '`sip`: `parse(buffer)` decodes the Buffer itself (`toString("binary")`, i.e. latin1), so no conversion is added. It parses Via, From, To, CSeq, Contact, Route and auth headers eagerly, so "lazy" is the same parse with nothing read; its URIs stay unparsed strings and header parse errors are swallowed.',
  ],
  parse,
  parseAndRead,
};
