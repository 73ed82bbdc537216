import { describe, expect, it } from 'vitest';
import { createResponse } from '../../../../main/sip/message/builders';
import type { SipResponse } from '../../../../main/sip/message/message';
import {
  clientTransactionKey,
  responseTransactionKey,
  rfc2543ToTagMatches,
  serverTransactionKey,
} from '../../../../main/sip/transaction/matching';
import { incomingRequest, parse } from './harness';

function response(cseq: string, branch = 'z9hG4bKabc'): SipResponse {
  return parse(
    [
      'SIP/2.0 200 OK',
      `Via: SIP/2.0/UDP 192.0.2.1:5060;branch=${branch};rport=5060;received=203.0.113.9`,
      'From: <sip:alice@example.test>;tag=a',
      'To: <sip:bob@example.test>;tag=b',
      'Call-ID: c1',
      `CSeq: ${cseq}`,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  ) as SipResponse;
}

describe('client transaction matching (RFC 3261 §17.1.3)', () => {
  it('keys a response by the top Via branch and the CSeq method', () => {
    expect(responseTransactionKey(response('1 INVITE'))).toBe(clientTransactionKey('z9hG4bKabc', 'INVITE'));
  });

  it('tells a CANCEL’s response from the INVITE’s, though they share the branch', () => {
    expect(responseTransactionKey(response('1 CANCEL'))).not.toBe(
      responseTransactionKey(response('1 INVITE')),
    );
  });

  it('ignores received and rport parameters the peer added', () => {
    expect(responseTransactionKey(response('7 REGISTER'))).toBe(
      clientTransactionKey('z9hG4bKabc', 'REGISTER'),
    );
  });

  it('has no key for a response without a branch', () => {
    const text = [
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP 192.0.2.1:5060',
      'From: <sip:a@x.test>;tag=a',
      'To: <sip:b@x.test>',
      'Call-ID: c',
      'CSeq: 1 OPTIONS',
      '',
      '',
    ].join('\r\n');
    expect(responseTransactionKey(parse(text) as SipResponse)).toBeUndefined();
  });
});

describe('server transaction matching (RFC 3261 §17.2.3)', () => {
  it('matches a retransmission to the same key', () => {
    expect(serverTransactionKey(incomingRequest('INVITE'))).toEqual(
      serverTransactionKey(incomingRequest('INVITE')),
    );
  });

  it('keys an ACK like the INVITE it acknowledges', () => {
    const invite = serverTransactionKey(incomingRequest('INVITE'));
    const ack = serverTransactionKey(incomingRequest('ACK', { cseqMethod: 'ACK', toTag: 'x' }));
    expect(ack).toEqual(invite);
    expect(invite?.rfc2543).toBe(false);
  });

  it('keys a CANCEL apart from its INVITE, but finds the INVITE when asked for that method', () => {
    const invite = serverTransactionKey(incomingRequest('INVITE'));
    const cancel = incomingRequest('CANCEL');
    expect(serverTransactionKey(cancel)?.key).not.toBe(invite?.key);
    expect(serverTransactionKey(cancel, 'INVITE')).toEqual(invite);
  });

  it('distinguishes the same branch from a different sent-by', () => {
    const a = serverTransactionKey(incomingRequest('OPTIONS', { sentBy: '198.51.100.7:5060' }));
    const b = serverTransactionKey(incomingRequest('OPTIONS', { sentBy: '198.51.100.8:5060' }));
    const c = serverTransactionKey(incomingRequest('OPTIONS', { sentBy: '198.51.100.7:5062' }));
    expect(a?.key).not.toBe(b?.key);
    expect(a?.key).not.toBe(c?.key);
  });

  it('compares the sent-by host case-insensitively', () => {
    const a = serverTransactionKey(incomingRequest('OPTIONS', { sentBy: 'Client.Example.Test:5060' }));
    const b = serverTransactionKey(incomingRequest('OPTIONS', { sentBy: 'client.example.test:5060' }));
    expect(a).toEqual(b);
  });

  it('distinguishes different branches and methods', () => {
    const a = serverTransactionKey(incomingRequest('OPTIONS', { branch: 'z9hG4bK1' }));
    const b = serverTransactionKey(incomingRequest('OPTIONS', { branch: 'z9hG4bK2' }));
    const c = serverTransactionKey(incomingRequest('INFO', { branch: 'z9hG4bK1' }));
    expect(a?.key).not.toBe(b?.key);
    expect(a?.key).not.toBe(c?.key);
  });

  describe('RFC 2543 fallback (no z9hG4bK cookie)', () => {
    it('is used without a branch and with a cookie-less branch', () => {
      expect(serverTransactionKey(incomingRequest('INVITE', { branch: null }))?.rfc2543).toBe(true);
      expect(serverTransactionKey(incomingRequest('INVITE', { branch: '7a83e1' }))?.rfc2543).toBe(true);
    });

    it('keys an ACK like its INVITE', () => {
      const invite = serverTransactionKey(incomingRequest('INVITE', { branch: null }));
      const ack = serverTransactionKey(
        incomingRequest('ACK', { branch: null, cseqMethod: 'ACK', toTag: 't' }),
      );
      expect(ack).toEqual(invite);
    });

    it('distinguishes Call-ID, CSeq number, Request-URI and top Via', () => {
      const base = serverTransactionKey(incomingRequest('INVITE', { branch: null }))?.key;
      for (const options of [
        { callId: 'other' },
        { cseq: 2 },
        { uri: 'sip:carol@192.0.2.1' },
        { sentBy: '198.51.100.9:5060' },
      ]) {
        expect(serverTransactionKey(incomingRequest('INVITE', { branch: null, ...options }))?.key).not.toBe(
          base,
        );
      }
    });

    it('checks an ACK’s To tag against the tag of the response sent', () => {
      const invite = incomingRequest('INVITE', { branch: null });
      const busy = createResponse(invite, 486, { toTag: 'ours' });
      const ack = incomingRequest('ACK', { branch: null, cseqMethod: 'ACK', toTag: 'ours' });
      const wrongAck = incomingRequest('ACK', { branch: null, cseqMethod: 'ACK', toTag: 'theirs' });
      expect(rfc2543ToTagMatches(ack, invite, busy)).toBe(true);
      expect(rfc2543ToTagMatches(wrongAck, invite, busy)).toBe(false);
    });

    it('checks other requests’ To tag against the original request', () => {
      const invite = incomingRequest('INVITE', { branch: null });
      expect(rfc2543ToTagMatches(incomingRequest('INVITE', { branch: null }), invite, undefined)).toBe(true);
      expect(
        rfc2543ToTagMatches(incomingRequest('INVITE', { branch: null, toTag: 'x' }), invite, undefined),
      ).toBe(false);
    });
  });
});
