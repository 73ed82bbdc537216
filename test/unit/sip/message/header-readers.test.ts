// The Result-returning readers (tryContact, tryFrom, ...) answer what the typed getters answer, but hand a malformed
// header back as an error value instead of throwing it: a client reading a response must be able to turn it into
// an outcome. Each is checked on a good value, a malformed one (agreeing with the getter's throw) and absence.
import { describe, expect, it } from 'vitest';
import { MalformedHeaderError, SipResponse, field } from '../../../../main/sip/message/message';
import type { SipMessage } from '../../../../main/sip/message/message';
import { parseMessage } from '../../../../main/sip/message/parse';
import type { Result } from '../../../../main/sip/message/result';

const BASE: Array<[string, string]> = [
  ['via', 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1'],
  ['from', '<sip:alice@example.com>;tag=a1'],
  ['to', '<sip:bob@example.com>;tag=b1'],
  ['call-id', 'c1'],
  ['cseq', '1 REGISTER'],
];

/** A 200 with BASE, each header replaced by `overrides` (a value of undefined removes it), plus `extra`. */
function response(overrides: Record<string, string | undefined> = {}, extra: Array<[string, string]> = []) {
  const lines = BASE.filter(([key]) => !(key in overrides) || overrides[key] !== undefined).map(
    ([key, value]): [string, string] => [key, overrides[key] ?? value],
  );
  return new SipResponse(
    200,
    'OK',
    [...lines, ...extra].map(([key, value]) => field(key, value)),
  );
}

function error<T>(result: Result<T, MalformedHeaderError>): MalformedHeaderError {
  if (result.ok) throw new Error('expected an error');
  expect(result.error).toBeInstanceOf(MalformedHeaderError);
  return result.error;
}

/** The getter throws exactly the error the reader returns. */
function expectSameThrow(read: () => unknown, expected: MalformedHeaderError): void {
  expect(read).toThrow(expected.message);
}

describe('Result-returning header readers', () => {
  it('tryContact: the Contact list, or the error the contact getter throws', () => {
    const good = response({}, [
      ['contact', '<sip:alice@192.0.2.1>;expires=60, <sip:alice@198.51.100.1>;q=0.5'],
    ]);
    const contacts = good.tryContact();
    expect(contacts.ok && contacts.value.map((c) => [c.expires, c.q])).toEqual([
      [60, undefined],
      [undefined, 0.5],
    ]);
    const bad = response({}, [['contact', '<sip:alice@192.0.2.1;expires=soon']]);
    const failure = error(bad.tryContact());
    expect(failure.header).toBe('Contact');
    expectSameThrow(() => bad.contact, failure);
    expect(error(response({}, [['contact', '<sip:a@h>;expires=-1']]).tryContact()).reason).toMatch(/expires/);
    expect(response().tryContact()).toEqual({ ok: true, value: [] });
  });

  it('tryFrom and tryTo also read the URI that the getters defer (and then throw on)', () => {
    for (const [key, read] of [
      ['from', (m: SipMessage) => m.tryFrom()],
      ['to', (m: SipMessage) => m.tryTo()],
    ] as const) {
      for (const uri of [
        '<sip:x@127.0.0.1:99999>;tag=1',
        '<sip:x@>;tag=1',
        '<sip:%zz@h>;tag=1',
        '<sip:x@[::1>;tag=1',
      ]) {
        const message = response({ [key]: uri });
        const failure = error(read(message));
        expect(failure.header).toBe(key === 'from' ? 'From' : 'To');
        // The getter itself succeeds (the URI is deferred); reading its URI throws the same error.
        expectSameThrow(() => (key === 'from' ? message.from.uri : message.to.uri), failure);
      }
      const good = read(response());
      expect(good.ok && good.value.tag).toBe(key === 'from' ? 'a1' : 'b1');
      expect(error(read(response({ [key]: '<sip:x@h' }))).reason).toMatch(/unterminated/);
      expect(error(read(response({ [key]: undefined }))).reason).toMatch(/missing/);
    }
  });

  it('tryVia and tryTopVia: every Via, or just the top one, as the getters read them', () => {
    const lower = response({}, [['via', 'SIP/2.0/UDP [broken;branch=z9hG4bK2']]);
    expect(lower.tryTopVia()).toMatchObject({ ok: true, value: { branch: 'z9hG4bK1' } });
    const failure = error(lower.tryVia());
    expect(failure.header).toBe('Via');
    expectSameThrow(() => lower.via, failure);
    const noVia = response({ via: undefined });
    expect(error(noVia.tryTopVia()).message).toBe('malformed Via header: missing Via header');
    expectSameThrow(() => noVia.topVia, error(noVia.tryTopVia()));
  });

  it('tryRoute and tryRecordRoute: the name-addr lists, or the error', () => {
    const good = response({}, [
      ['record-route', '<sip:p1.example.com;lr>, <sip:p2.example.com;lr>'],
      ['route', '<sip:p3.example.com;lr>'],
    ]);
    const recordRoute = good.tryRecordRoute();
    expect(recordRoute.ok && recordRoute.value).toHaveLength(2);
    expect(good.tryRoute()).toMatchObject({ ok: true, value: [{ uri: { host: 'p3.example.com' } }] });
    const bad = response({}, [
      ['record-route', '<sip:p1.example.com;lr'],
      ['route', 'not a uri'],
    ]);
    expectSameThrow(() => bad.recordRoute, error(bad.tryRecordRoute()));
    expectSameThrow(() => bad.route, error(bad.tryRoute()));
    expect(response().tryRoute()).toEqual({ ok: true, value: [] });
  });

  it('tryExpires and tryMinExpires tell a malformed value from an absent one', () => {
    expect(response({}, [['expires', '600']]).tryExpires()).toEqual({ ok: true, value: 600 });
    expect(response().tryExpires()).toEqual({ ok: true, value: undefined });
    const badExpires = response({}, [['expires', 'soon']]);
    expectSameThrow(() => badExpires.expires, error(badExpires.tryExpires()));

    expect(response({}, [['min-expires', '3600']]).tryMinExpires()).toEqual({ ok: true, value: 3600 });
    expect(response().tryMinExpires()).toEqual({ ok: true, value: undefined });
    const badMin = response({}, [['min-expires', '-5']]);
    // The getter cannot tell this from absence; the reader can.
    expect(badMin.minExpires).toBeUndefined();
    expect(error(badMin.tryMinExpires())).toMatchObject({
      header: 'Min-Expires',
      reason: 'not delta-seconds: -5',
    });
  });

  it('tryCallId and tryCSeq: the values, or the error', () => {
    expect(response().tryCSeq()).toEqual({ ok: true, value: { seq: 1, method: 'REGISTER' } });
    expect(response().tryCallId()).toEqual({ ok: true, value: 'c1' });
    const bad = response({ cseq: 'one REGISTER', 'call-id': 'a b' });
    expectSameThrow(() => bad.cseq, error(bad.tryCSeq()));
    expectSameThrow(() => bad.callId, error(bad.tryCallId()));
  });

  it('read a parsed response the packet path accepted though its Contact and From URI are malformed', () => {
    const parsed = parseMessage(
      [
        'SIP/2.0 200 OK',
        'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1',
        'From: <sip:alice@127.0.0.1:99999>;tag=a1',
        'To: <sip:alice@example.com>;tag=r1',
        'Call-ID: c1',
        'CSeq: 2 REGISTER',
        'Contact: <sip:alice@192.0.2.1;expires=x',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    if (!parsed.ok) throw new Error(parsed.error.reason);
    const message = parsed.message;
    expect(error(message.tryContact()).header).toBe('Contact');
    expect(error(message.tryFrom()).header).toBe('From');
    expect(message.tryTo().ok).toBe(true);
    expect(message.tryCSeq()).toEqual({ ok: true, value: { seq: 2, method: 'REGISTER' } });
  });
});
