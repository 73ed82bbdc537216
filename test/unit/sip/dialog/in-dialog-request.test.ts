import { describe, expect, it } from 'vitest';
import {
  type DialogState,
  TARGET_REFRESH_METHODS,
  createUacDialog,
  createUasDialog,
} from '../../../../main/sip/dialog/dialog';
import { type InDialogMethod, buildInDialogRequest } from '../../../../main/sip/dialog/in-dialog-request';
import { isLooseRoute, routeInDialog } from '../../../../main/sip/dialog/route-set';
import type { SipRequest } from '../../../../main/sip/message/message';
import { type NameAddr, formatNameAddr } from '../../../../main/sip/message/name-addr';
import { parseMessage } from '../../../../main/sip/message/parse';
import { serializeMessage } from '../../../../main/sip/message/serialize';
import { type Uri, formatUri, parseUri } from '../../../../main/sip/message/uri';
import { CALL_ID, incomingInvite, inviteResponse, outgoingInvite } from './messages';

function unwrap<T, E>(result: { ok: true; value: T } | { ok: false; error: E }): T {
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

function uri(text: string): Uri {
  return unwrap(parseUri(text));
}

function route(text: string): NameAddr {
  return { uri: uri(text), params: new Map() };
}

const OUR_CONTACT: NameAddr = { uri: uri('sip:alice@192.0.2.10:5062'), params: new Map() };

function uac(recordRoute?: readonly string[]): DialogState {
  return unwrap(createUacDialog(outgoingInvite(), inviteResponse(200, recordRoute ? { recordRoute } : {})));
}

function build(state: DialogState, method: InDialogMethod, extra = {}) {
  return unwrap(buildInDialogRequest(state, { method, contact: OUR_CONTACT, ...extra }));
}

/** The request as the peer would read it: serialized (with a Via the transaction layer would add) and parsed. */
function onTheWire(request: SipRequest): SipRequest {
  request.prependHeader('Via', 'SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKtest');
  const parsed = parseMessage(serializeMessage(request));
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error(JSON.stringify(parsed));
  return parsed.message;
}

describe('routing an in-dialog request (RFC 3261 §12.2.1.1)', () => {
  const target = uri('sip:bob@203.0.113.5:5070');

  it('goes straight to the remote target without a route set', () => {
    expect(routeInDialog(target, [])).toEqual({ requestUri: target, route: [] });
  });

  it('loose routing: Request-URI = remote target, Route = the route set', () => {
    const set = [route('sip:192.0.2.1:5060;lr'), route('sip:198.51.100.1;lr')];
    expect(isLooseRoute(set[0]!)).toBe(true);
    expect(routeInDialog(target, set)).toEqual({ requestUri: target, route: set });
  });

  it('strict routing: Request-URI = first route without URI headers, Route = the rest + remote target', () => {
    const set = [route('sip:strict.example.test;transport=udp?X-Foo=bar'), route('sip:198.51.100.1;lr')];
    expect(isLooseRoute(set[0]!)).toBe(false);
    const routing = routeInDialog(target, set);
    expect(formatUri(routing.requestUri)).toBe('sip:strict.example.test;transport=udp');
    expect(routing.route.map(formatNameAddr)).toEqual([
      '<sip:198.51.100.1;lr>',
      '<sip:bob@203.0.113.5:5070>',
    ]);
  });
});

describe('buildInDialogRequest', () => {
  it('builds a BYE through a Kamailio-like record-routing proxy (loose routes)', () => {
    const state = uac();
    const { state: next, request } = build(state, 'BYE', { contact: undefined });
    const wire = onTheWire(request);
    expect(wire.method).toBe('BYE');
    expect(formatUri(wire.requestUri)).toBe('sip:bob@203.0.113.5:5070');
    expect(wire.route.map(formatNameAddr)).toEqual([
      '<sip:192.0.2.1:5060;lr;did=abc>',
      '<sip:198.51.100.1;lr;ftag=alice1>',
    ]);
    expect(wire.from.tag).toBe('alice1');
    expect(wire.from.displayName).toBe('Alice');
    expect(formatUri(wire.from.uri)).toBe('sip:alice@example.test');
    expect(wire.to.tag).toBe('bob1');
    expect(formatUri(wire.to.uri)).toBe('sip:bob@example.test');
    expect(wire.callId).toBe(CALL_ID);
    expect(wire.cseq).toEqual({ seq: 315, method: 'BYE' });
    expect(wire.maxForwards).toBe(70);
    // BYE is not a target refresh: no Contact unless the usage gives one.
    expect(wire.hasHeader('contact')).toBe(false);
    expect(next.localSeq).toBe(315);
  });

  it('sends through a strict router: first route in the Request-URI, target last in Route', () => {
    const state = uac(['<sip:198.51.100.1;lr>', '<sip:strict.example.test>']);
    const wire = onTheWire(build(state, 'INFO').request);
    expect(formatUri(wire.requestUri)).toBe('sip:strict.example.test');
    expect(wire.route.map(formatNameAddr)).toEqual(['<sip:198.51.100.1;lr>', '<sip:bob@203.0.113.5:5070>']);
  });

  it('increments the local CSeq per request and carries Contact on target refreshes', () => {
    let state = uac();
    const seen: Array<[string, number, boolean]> = [];
    const methods: InDialogMethod[] = [
      'INVITE',
      'UPDATE',
      'INFO',
      'REFER',
      'SUBSCRIBE',
      'NOTIFY',
      'PRACK',
      'OPTIONS',
      'MESSAGE',
    ];
    for (const method of methods) {
      const built = unwrap(
        buildInDialogRequest(state, {
          method,
          ...(TARGET_REFRESH_METHODS.has(method) ? { contact: OUR_CONTACT } : {}),
          ...(method === 'PRACK' ? { headers: [['RAck', '1 314 INVITE']] as const } : {}),
          ...(method === 'REFER' ? { headers: [['Refer-To', '<sip:carol@example.test>']] as const } : {}),
        }),
      );
      state = built.state;
      const wire = onTheWire(built.request);
      seen.push([wire.cseq.method, wire.cseq.seq, wire.hasHeader('contact')]);
      if (method === 'PRACK') expect(wire.header('rack')).toBe('1 314 INVITE');
      if (method === 'REFER') expect(wire.header('refer-to')).toBe('<sip:carol@example.test>');
    }
    expect(seen).toEqual([
      ['INVITE', 315, true],
      ['UPDATE', 316, true],
      ['INFO', 317, false],
      ['REFER', 318, false],
      ['SUBSCRIBE', 319, true],
      ['NOTIFY', 320, true],
      ['PRACK', 321, false],
      ['OPTIONS', 322, false],
      ['MESSAGE', 323, false],
    ]);
  });

  it('builds the ACK for a 2xx with the INVITE CSeq number, leaving the local sequence alone', () => {
    const reinvite = build(uac(), 'INVITE');
    const ack = build(reinvite.state, 'ACK', { contact: undefined, inviteCSeq: 315 });
    const wire = onTheWire(ack.request);
    expect(wire.cseq).toEqual({ seq: 315, method: 'ACK' });
    expect(ack.state.localSeq).toBe(315);
    expect(build(ack.state, 'BYE').request.cseq.seq).toBe(316);
  });

  it('carries a body with its Content-Type and the usage headers', () => {
    const body = Buffer.from('Signal=5\r\nDuration=160\r\n');
    const wire = onTheWire(
      build(uac(), 'INFO', { body, contentType: 'application/dtmf-relay', headers: [['X-Test', '1']] })
        .request,
    );
    expect(wire.contentType?.type).toBe('application/dtmf-relay');
    expect(Buffer.from(wire.body).toString()).toBe('Signal=5\r\nDuration=160\r\n');
    expect(wire.header('x-test')).toBe('1');
  });

  it('uses the UAS local sequence it was given, and the To/From of the dialog the other way round', () => {
    const state = unwrap(
      createUasDialog(incomingInvite(), { status: 200, localTag: 'ours1', firstLocalCSeq: 900 }),
    );
    const wire = onTheWire(build(state, 'BYE').request);
    expect(wire.cseq.seq).toBe(900);
    expect(wire.from.tag).toBe('ours1');
    expect(formatUri(wire.from.uri)).toBe('sip:alice@example.test');
    expect(wire.to.tag).toBe('bob9');
    expect(formatUri(wire.requestUri)).toBe('sip:bob@203.0.113.5:5070;transport=udp');
    expect(wire.route.map(formatNameAddr)).toEqual([
      '<sip:192.0.2.1:5060;lr;did=xyz>',
      '<sip:198.51.100.1;lr>',
    ]);
  });

  it('sends no To tag to an RFC 2543 peer that sent no From tag', () => {
    const invite = incomingInvite();
    invite.setHeader('From', '<sip:bob@example.test>');
    const state = unwrap(createUasDialog(invite, { status: 200, localTag: 'ours1' }));
    expect(state.id.remoteTag).toBe('');
    expect(onTheWire(build(state, 'BYE').request).to.tag).toBeUndefined();
  });

  it('returns errors for misuse instead of throwing', () => {
    const state = uac();
    expect(buildInDialogRequest(state, { method: 'INVITE' })).toMatchObject({
      ok: false,
      error: { code: 'contact-required' },
    });
    expect(buildInDialogRequest(state, { method: 'ACK' })).toMatchObject({
      ok: false,
      error: { code: 'ack-needs-cseq' },
    });
    expect(buildInDialogRequest({ ...state, name: 'terminated' }, { method: 'BYE' })).toMatchObject({
      ok: false,
      error: { code: 'terminated' },
    });
    expect(buildInDialogRequest({ ...state, localSeq: 0xffff_ffff }, { method: 'BYE' })).toMatchObject({
      ok: false,
      error: { code: 'cseq-exhausted' },
    });
  });
});
