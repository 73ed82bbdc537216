import { describe, expect, it } from 'vitest';
import {
  DIALOG_TRANSITIONS,
  type DialogState,
  createUacDialog,
  createUasDialog,
  stepDialog,
} from '../../../../main/sip/dialog/dialog';
import { formatUri } from '../../../../main/sip/message/uri';
import { formatNameAddr } from '../../../../main/sip/message/name-addr';
import {
  CALL_ID,
  inDialogResponse,
  incomingInDialog,
  incomingInvite,
  inviteResponse,
  outgoingInvite,
  parseRequest,
} from './messages';

function unwrap<T, E>(result: { ok: true; value: T } | { ok: false; error: E }): T {
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

function uac(status = 200): DialogState {
  return unwrap(createUacDialog(outgoingInvite(), inviteResponse(status)));
}

function uas(status = 200): DialogState {
  return unwrap(createUasDialog(incomingInvite(), { status, localTag: 'ours1', firstLocalCSeq: 500 }));
}

const routes = (state: DialogState): string[] => state.routeSet.map(formatNameAddr);

describe('UAC dialog creation (RFC 3261 §12.1.2)', () => {
  it('takes the id, the reversed Record-Route, the Contact as target and the INVITE CSeq from a 2xx', () => {
    const state = uac(200);
    expect(state.name).toBe('confirmed');
    expect(state.role).toBe('uac');
    expect(state.id).toEqual({ callId: CALL_ID, localTag: 'alice1', remoteTag: 'bob1' });
    // The proxy nearest us (192.0.2.1) is our first hop; its parameters stay, as the URI is copied whole.
    expect(routes(state)).toEqual(['<sip:192.0.2.1:5060;lr;did=abc>', '<sip:198.51.100.1;lr;ftag=alice1>']);
    expect(formatUri(state.remoteTarget)).toBe('sip:bob@203.0.113.5:5070');
    expect(state.localSeq).toBe(314);
    expect(state.remoteSeq).toBeUndefined();
    expect(formatUri(state.localUri.uri)).toBe('sip:alice@example.test');
    expect(state.localUri.displayName).toBe('Alice');
    expect(state.localUri.params.has('tag')).toBe(false);
    expect(formatUri(state.remoteUri.uri)).toBe('sip:bob@example.test');
    expect(state.secure).toBe(false);
  });

  it('makes an early dialog from a 180 with a To tag', () => {
    const state = uac(180);
    expect(state.name).toBe('early');
    expect(state.id.remoteTag).toBe('bob1');
  });

  it('makes no dialog from a 1xx without To tag, a 100 or a final failure', () => {
    const noTag = createUacDialog(outgoingInvite(), inviteResponse(180, { toTag: '' }));
    expect(noTag).toMatchObject({ ok: false, error: { code: 'not-dialog-creating' } });
    expect(createUacDialog(outgoingInvite(), inviteResponse(100))).toMatchObject({ ok: false });
    expect(createUacDialog(outgoingInvite(), inviteResponse(486))).toMatchObject({
      ok: false,
      error: { code: 'not-dialog-creating' },
    });
  });

  it('turns a malformed Contact or Record-Route into an error result, never an exception', () => {
    const badContact = createUacDialog(outgoingInvite(), inviteResponse(200, { contact: '<sip:bob@' }));
    expect(badContact).toMatchObject({ ok: false, error: { code: 'malformed-contact' } });
    const badRoute = createUacDialog(outgoingInvite(), inviteResponse(200, { recordRoute: ['<sip:;lr'] }));
    expect(badRoute).toMatchObject({ ok: false, error: { code: 'malformed-record-route' } });
  });

  it('refuses a 2xx without Contact, and lets an early dialog fall back to the Request-URI', () => {
    expect(createUacDialog(outgoingInvite(), inviteResponse(200, { contact: null }))).toMatchObject({
      ok: false,
      error: { code: 'missing-contact' },
    });
    const early = unwrap(createUacDialog(outgoingInvite(), inviteResponse(183, { contact: null })));
    expect(formatUri(early.remoteTarget)).toBe('sip:bob@example.test');
  });

  it('is secure only for a sips Request-URI sent over TLS', () => {
    const sips = parseRequest([
      'INVITE sips:bob@example.test SIP/2.0',
      'Via: SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bKs1',
      'From: <sips:alice@example.test>;tag=alice1',
      'To: <sips:bob@example.test>',
      `Call-ID: ${CALL_ID}`,
      'CSeq: 1 INVITE',
      'Contact: <sips:alice@192.0.2.10:5061>',
      'Content-Length: 0',
    ]);
    const response = inviteResponse(200, { cseq: 1 });
    expect(unwrap(createUacDialog(sips, response, { secureTransport: true })).secure).toBe(true);
    expect(unwrap(createUacDialog(sips, response)).secure).toBe(false);
    expect(
      unwrap(createUacDialog(outgoingInvite(), inviteResponse(200), { secureTransport: true })).secure,
    ).toBe(false);
  });
});

describe('UAS dialog creation (RFC 3261 §12.1.1)', () => {
  it('takes the Record-Route in order, the caller Contact as target and its CSeq as the remote sequence', () => {
    const state = uas(200);
    expect(state.name).toBe('confirmed');
    expect(state.role).toBe('uas');
    expect(state.id).toEqual({ callId: 'incoming-1', localTag: 'ours1', remoteTag: 'bob9' });
    expect(routes(state)).toEqual(['<sip:192.0.2.1:5060;lr;did=xyz>', '<sip:198.51.100.1;lr>']);
    expect(formatUri(state.remoteTarget)).toBe('sip:bob@203.0.113.5:5070;transport=udp');
    expect(state.remoteSeq).toBe(7);
    expect(state.localSeq).toBe(499);
    expect(formatUri(state.localUri.uri)).toBe('sip:alice@example.test');
    expect(state.remoteUri.displayName).toBe('Bob');
  });

  it('is early when the response is a 1xx, and confirmed once we answer', () => {
    const early = uas(180);
    expect(early.name).toBe('early');
    const step = stepDialog(early, { kind: 'answered' });
    expect(step.state.name).toBe('confirmed');
    expect(step.actions).toEqual([{ kind: 'state-changed', from: 'early', to: 'confirmed' }]);
  });

  it('is secure only when a sips Request-URI arrived over TLS (§12.1.1)', () => {
    const invite = incomingInvite();
    expect(
      unwrap(createUasDialog(invite, { status: 200, localTag: 't', secureTransport: true })).secure,
    ).toBe(false);
    const sips = parseRequest([
      'INVITE sips:alice@192.0.2.10:5061 SIP/2.0',
      'Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bKs2',
      'From: <sips:bob@example.test>;tag=bob9',
      'To: <sips:alice@example.test>',
      'Call-ID: secure-1',
      'CSeq: 1 INVITE',
      'Contact: <sips:bob@203.0.113.5:5061>',
      'Content-Length: 0',
    ]);
    expect(unwrap(createUasDialog(sips, { status: 200, localTag: 't', secureTransport: true })).secure).toBe(
      true,
    );
    expect(unwrap(createUasDialog(sips, { status: 200, localTag: 't' })).secure).toBe(false);
  });

  it('turns a malformed Contact or Record-Route of the request into an error result', () => {
    const badContact = createUasDialog(incomingInvite({ contact: '<sip:bob@>' }), {
      status: 200,
      localTag: 't',
    });
    expect(badContact).toMatchObject({ ok: false, error: { code: 'malformed-contact' } });
    const badRoute = createUasDialog(incomingInvite({ recordRoute: ['<sip:;lr'] }), {
      status: 200,
      localTag: 't',
    });
    expect(badRoute).toMatchObject({ ok: false, error: { code: 'malformed-record-route' } });
    expect(createUasDialog(incomingInvite(), { status: 100, localTag: 't' })).toMatchObject({ ok: false });
  });
});

describe('UAC early → confirmed (RFC 3261 §13.2.2.4)', () => {
  it('recomputes the route set and target from the 2xx that confirms the early dialog', () => {
    const early = unwrap(
      createUacDialog(
        outgoingInvite(),
        inviteResponse(180, { recordRoute: ['<sip:192.0.2.1:5060;lr>'], contact: '<sip:bob@10.1.1.1>' }),
      ),
    );
    expect(routes(early)).toEqual(['<sip:192.0.2.1:5060;lr>']);
    const step = stepDialog(early, { kind: 'response', response: inviteResponse(200) });
    expect(step.state.name).toBe('confirmed');
    expect(routes(step.state)).toEqual([
      '<sip:192.0.2.1:5060;lr;did=abc>',
      '<sip:198.51.100.1;lr;ftag=alice1>',
    ]);
    expect(formatUri(step.state.remoteTarget)).toBe('sip:bob@203.0.113.5:5070');
    expect(step.actions[0]).toEqual({ kind: 'state-changed', from: 'early', to: 'confirmed' });
  });

  it('refreshes the target of an early dialog from a later 1xx, keeping its route set', () => {
    const early = uac(180);
    const step = stepDialog(early, {
      kind: 'response',
      response: inviteResponse(183, { contact: '<sip:bob@10.9.9.9>', recordRoute: [] }),
    });
    expect(step.state.name).toBe('early');
    expect(formatUri(step.state.remoteTarget)).toBe('sip:bob@10.9.9.9');
    expect(step.state.routeSet).toEqual(early.routeSet);
  });

  it('stays early and reports a confirming 2xx whose Contact or Record-Route is malformed', () => {
    const early = uac(180);
    const badContact = stepDialog(early, {
      kind: 'response',
      response: inviteResponse(200, { contact: '<sip:bob@' }),
    });
    expect(badContact.state).toBe(early);
    expect(badContact.actions).toEqual([
      { kind: 'malformed', error: expect.objectContaining({ code: 'malformed-contact' }) },
    ]);
    const badRoute = stepDialog(early, {
      kind: 'response',
      response: inviteResponse(200, { recordRoute: ['<sip:;lr'] }),
    });
    expect(badRoute.state).toBe(early);
    expect(badRoute.actions[0]).toMatchObject({
      kind: 'malformed',
      error: { code: 'malformed-record-route' },
    });
  });

  it('ends an early dialog on a final failure to its INVITE (§12.3)', () => {
    const step = stepDialog(uac(180), { kind: 'response', response: inviteResponse(486) });
    expect(step.state.name).toBe('terminated');
    expect(step.actions).toEqual([{ kind: 'state-changed', from: 'early', to: 'terminated' }]);
  });
});

describe('in-dialog requests received (RFC 3261 §12.2.2)', () => {
  it('accepts requests in order and takes their CSeq as the remote sequence', () => {
    const first = stepDialog(uas(), { kind: 'request', request: incomingInDialog('INFO', 8) });
    expect(first.actions).toEqual([{ kind: 'accept' }]);
    expect(first.state.remoteSeq).toBe(8);
    // CSeq numbers may jump (requests the proxy lost, or ones challenged and resent); only going back is wrong.
    const second = stepDialog(first.state, { kind: 'request', request: incomingInDialog('NOTIFY', 20) });
    expect(second.actions).toEqual([{ kind: 'accept' }]);
    expect(second.state.remoteSeq).toBe(20);
  });

  it('answers 500 to a request with a lower CSeq than the last, without taking its number', () => {
    const state = stepDialog(uas(), { kind: 'request', request: incomingInDialog('INFO', 9) }).state;
    const late = stepDialog(state, { kind: 'request', request: incomingInDialog('INFO', 8) });
    expect(late.actions).toEqual([{ kind: 'reject', status: 500, reason: 'CSeq 8 is below 9' }]);
    expect(late.state).toBe(state);
  });

  it('takes the first request of the far end in a dialog we started, whatever its number', () => {
    const state = uac();
    const step = stepDialog(state, {
      kind: 'request',
      request: incomingInDialog('INFO', 1, { callId: CALL_ID, localTag: 'alice1', remoteTag: 'bob1' }),
    });
    expect(step.actions).toEqual([{ kind: 'accept' }]);
    expect(step.state.remoteSeq).toBe(1);
  });

  it('lets ACK and CANCEL through without an ordering check and without moving the sequence', () => {
    const state = stepDialog(uas(), { kind: 'request', request: incomingInDialog('INFO', 12) }).state;
    const ack = stepDialog(state, { kind: 'request', request: incomingInDialog('ACK', 7) });
    expect(ack.actions).toEqual([{ kind: 'accept' }]);
    expect(ack.state.remoteSeq).toBe(12);
  });

  it('refreshes the remote target from a re-INVITE or UPDATE Contact', () => {
    const reinvite = stepDialog(uas(), {
      kind: 'request',
      request: incomingInDialog('INVITE', 8, { contact: '<sip:bob@203.0.113.77:5080>' }),
    });
    expect(formatUri(reinvite.state.remoteTarget)).toBe('sip:bob@203.0.113.77:5080');
    expect(reinvite.actions).toEqual([
      { kind: 'target-refreshed', target: reinvite.state.remoteTarget },
      { kind: 'accept' },
    ]);
    const update = stepDialog(reinvite.state, {
      kind: 'request',
      request: incomingInDialog('UPDATE', 9, { contact: '<sip:bob@203.0.113.78>' }),
    });
    expect(formatUri(update.state.remoteTarget)).toBe('sip:bob@203.0.113.78');
    // RFC 6665: NOTIFY (and SUBSCRIBE) refresh the target too, e.g. the NOTIFYs of a REFER in this dialog.
    const notify = stepDialog(update.state, {
      kind: 'request',
      request: incomingInDialog('NOTIFY', 10, { contact: '<sip:bob@203.0.113.79>' }),
    });
    expect(formatUri(notify.state.remoteTarget)).toBe('sip:bob@203.0.113.79');
    // INFO is not a target refresh: its Contact, if any, changes nothing.
    const info = stepDialog(notify.state, {
      kind: 'request',
      request: incomingInDialog('INFO', 11, { contact: '<sip:elsewhere@192.0.2.99>' }),
    });
    expect(info.state.remoteTarget).toBe(notify.state.remoteTarget);
  });

  it('answers 400 to a target refresh with a malformed Contact and keeps the dialog as it was', () => {
    const state = uas();
    const step = stepDialog(state, {
      kind: 'request',
      request: incomingInDialog('INVITE', 8, { contact: '<sip:bob@>' }),
    });
    expect(step.actions).toEqual([
      { kind: 'reject', status: 400, reason: 'Bad Request (malformed Contact)' },
    ]);
    expect(step.state).toBe(state);
  });

  it('ends the dialog on a BYE, and answers 481 to anything after it', () => {
    const bye = stepDialog(uas(), { kind: 'request', request: incomingInDialog('BYE', 8) });
    expect(bye.state.name).toBe('terminated');
    expect(bye.actions).toEqual([
      { kind: 'state-changed', from: 'confirmed', to: 'terminated' },
      { kind: 'accept' },
    ]);
    const after = stepDialog(bye.state, { kind: 'request', request: incomingInDialog('INFO', 9) });
    expect(after.actions).toEqual([{ kind: 'reject', status: 481, reason: 'the dialog has ended' }]);
    expect(stepDialog(bye.state, { kind: 'request', request: incomingInDialog('ACK', 8) }).actions).toEqual(
      [],
    );
  });
});

describe('responses in the dialog (RFC 3261 §12.2.1.2)', () => {
  it('refreshes the target from the 2xx of a re-INVITE or UPDATE and leaves the route set', () => {
    const state = uac();
    const reinvite = stepDialog(state, {
      kind: 'response',
      response: inDialogResponse(200, 'INVITE', 315, { contact: '<sip:bob@203.0.113.9>' }),
    });
    expect(formatUri(reinvite.state.remoteTarget)).toBe('sip:bob@203.0.113.9');
    expect(reinvite.state.routeSet).toBe(state.routeSet);
    const update = stepDialog(reinvite.state, {
      kind: 'response',
      response: inDialogResponse(200, 'UPDATE', 316, { contact: '<sip:bob@203.0.113.10>' }),
    });
    expect(formatUri(update.state.remoteTarget)).toBe('sip:bob@203.0.113.10');
  });

  it('refreshes the target from the 2xx of a SUBSCRIBE, but not from that of an INFO', () => {
    const subscribe = stepDialog(uac(), {
      kind: 'response',
      response: inDialogResponse(200, 'SUBSCRIBE', 315, { contact: '<sip:bob@203.0.113.11>' }),
    });
    expect(formatUri(subscribe.state.remoteTarget)).toBe('sip:bob@203.0.113.11');
    const info = stepDialog(subscribe.state, {
      kind: 'response',
      response: inDialogResponse(200, 'INFO', 316, { contact: '<sip:bob@203.0.113.12>' }),
    });
    expect(info.state).toBe(subscribe.state);
  });

  it('keeps a confirmed dialog when a re-INVITE fails (§14.1)', () => {
    const state = uac();
    const step = stepDialog(state, { kind: 'response', response: inDialogResponse(488, 'INVITE', 315) });
    expect(step.state).toBe(state);
    expect(step.actions).toEqual([]);
  });

  it('ends the dialog on a 481 or 408 to any request in it', () => {
    for (const status of [481, 408]) {
      const step = stepDialog(uac(), { kind: 'response', response: inDialogResponse(status, 'INFO', 315) });
      expect(step.state.name).toBe('terminated');
    }
  });

  it('ends the dialog when our BYE is answered, but not on a challenge to it', () => {
    const challenged = stepDialog(uac(), { kind: 'response', response: inDialogResponse(407, 'BYE', 315) });
    expect(challenged.state.name).toBe('confirmed');
    const answered = stepDialog(uac(), { kind: 'response', response: inDialogResponse(200, 'BYE', 315) });
    expect(answered.state.name).toBe('terminated');
  });

  it('ends on terminate, and takes no input once terminated', () => {
    const ended = stepDialog(uac(180), { kind: 'terminate' }).state;
    expect(ended.name).toBe('terminated');
    expect(stepDialog(ended, { kind: 'response', response: inviteResponse(200) })).toEqual({
      state: ended,
      actions: [],
    });
  });
});

describe('DIALOG_TRANSITIONS', () => {
  it('never leaves Terminated and never goes back to Early from Confirmed', () => {
    expect(DIALOG_TRANSITIONS.filter((row) => row.from.includes('terminated'))).toEqual([]);
    const backwards = DIALOG_TRANSITIONS.filter(
      (row) => row.from.includes('confirmed') && row.to === 'early',
    );
    expect(backwards).toEqual([]);
  });
});
