import { describe, expect, it } from 'vitest';
import { formatViaValue } from '../../../../main/sip/message/builders';
import { buildCancel, buildNon2xxAck } from '../../../../main/sip/transaction/transaction-requests';
import { outgoingRequest, overTheWire, responseTo } from './harness';

function invite() {
  const request = outgoingRequest('INVITE', { cseq: 42, route: ['<sip:edge.example.test;lr>'] });
  request.prependHeader(
    'Via',
    formatViaValue('UDP', '192.0.2.1:5060', 'z9hG4bKinv', new Map([['rport', null]])),
  );
  return request;
}

describe('ACK for a non-2xx final response (RFC 3261 §17.1.1.3)', () => {
  it('survives serialisation and keeps every required field', () => {
    const request = invite();
    const ack = overTheWire(buildNon2xxAck(request, responseTo(request, 404, 'uas-tag')));
    expect(ack.method).toBe('ACK');
    expect(ack.requestUriText).toBe('sip:bob@198.51.100.7');
    expect(ack.via).toHaveLength(1);
    expect(ack.topVia?.branch).toBe('z9hG4bKinv');
    expect(ack.topVia?.rport).toBe(true);
    expect(ack.route.map((r) => r.uri)).toEqual(request.route.map((r) => r.uri));
    expect(ack.from.tag).toBe('alicetag');
    expect(ack.to.tag).toBe('uas-tag');
    expect(ack.callId).toBe(request.callId);
    expect(ack.cseq).toEqual({ seq: 42, method: 'ACK' });
    expect(ack.hasHeader('contact')).toBe(false);
  });
});

describe('CANCEL (RFC 3261 §9.1)', () => {
  it('copies Request-URI, Call-ID, From, To, CSeq number, top Via and Route of the INVITE', () => {
    const request = invite();
    const cancel = overTheWire(buildCancel(request));
    expect(cancel.method).toBe('CANCEL');
    expect(cancel.requestUriText).toBe(request.requestUriText);
    expect(cancel.headerValues('via')).toEqual(request.headerValues('via'));
    expect(cancel.header('from')).toBe(request.header('from'));
    expect(cancel.header('to')).toBe(request.header('to'));
    expect(cancel.to.tag).toBeUndefined();
    expect(cancel.callId).toBe(request.callId);
    expect(cancel.cseq).toEqual({ seq: 42, method: 'CANCEL' });
    expect(cancel.headerLines('route')).toEqual(request.headerLines('route'));
    expect(cancel.maxForwards).toBe(70);
  });
});
