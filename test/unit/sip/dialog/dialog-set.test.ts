import { describe, expect, it } from 'vitest';
import {
  type DialogState,
  createUacDialog,
  createUasDialog,
  stepDialog,
} from '../../../../main/sip/dialog/dialog';
import { DialogSet, MAX_FORKED_DIALOGS } from '../../../../main/sip/dialog/dialog-set';
import {
  CALL_ID,
  inDialogResponse,
  incomingInDialog,
  incomingInvite,
  inviteResponse,
  outgoingInvite,
} from './messages';

function unwrap<T, E>(result: { ok: true; value: T } | { ok: false; error: E }): T {
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value;
}

function fork(toTag: string, status = 180): DialogState {
  return unwrap(createUacDialog(outgoingInvite(), inviteResponse(status, { toTag })));
}

describe('DialogSet', () => {
  it('finds an incoming request by Call-ID, To tag (ours) and From tag (theirs)', () => {
    const dialogs = new DialogSet();
    dialogs.update(unwrap(createUasDialog(incomingInvite(), { status: 200, localTag: 'ours1' })));
    expect(dialogs.findForRequest(incomingInDialog('BYE', 8))?.id.localTag).toBe('ours1');
    expect(dialogs.hasDialogFor(incomingInDialog('BYE', 8))).toBe(true);
    // Any part of the id that differs is another dialog (§12.2.2 → 481).
    expect(dialogs.hasDialogFor(incomingInDialog('BYE', 8, { localTag: 'other' }))).toBe(false);
    expect(dialogs.hasDialogFor(incomingInDialog('BYE', 8, { remoteTag: 'other' }))).toBe(false);
    expect(dialogs.hasDialogFor(incomingInDialog('BYE', 8, { callId: 'other' }))).toBe(false);
  });

  it('finds a request from the far end in a dialog we started: its To tag is our From tag', () => {
    const dialogs = new DialogSet();
    dialogs.update(fork('bob1', 200));
    const bye = incomingInDialog('BYE', 1, { callId: CALL_ID, localTag: 'alice1', remoteTag: 'bob1' });
    expect(dialogs.findForRequest(bye)?.role).toBe('uac');
  });

  it('finds the dialog of an RFC 2543 peer that sent no From tag', () => {
    const dialogs = new DialogSet();
    const invite = incomingInvite();
    invite.setHeader('From', '<sip:bob@example.test>');
    dialogs.update(unwrap(createUasDialog(invite, { status: 200, localTag: 'ours1' })));
    const info = incomingInDialog('INFO', 8);
    info.setHeader('From', '<sip:bob@example.test>');
    expect(dialogs.hasDialogFor(info)).toBe(true);
    expect(dialogs.hasDialogFor(incomingInDialog('INFO', 8))).toBe(false);
  });

  it('keeps two early dialogs forked from one INVITE apart, and finds each response its own', () => {
    const dialogs = new DialogSet();
    dialogs.update(fork('bobPhone'));
    dialogs.update(fork('bobLaptop'));
    expect(dialogs.size).toBe(2);
    expect(dialogs.forked(CALL_ID, 'alice1').map((d) => d.id.remoteTag)).toEqual(['bobPhone', 'bobLaptop']);
    expect(dialogs.findForResponse(inviteResponse(183, { toTag: 'bobLaptop' }))?.id.remoteTag).toBe(
      'bobLaptop',
    );
    // A third To tag is a new fork: no dialog yet, the usage creates one.
    expect(dialogs.findForResponse(inviteResponse(180, { toTag: 'bobTablet' }))).toBeUndefined();
    expect(dialogs.findForResponse(inviteResponse(180, { toTag: '' }))).toBeUndefined();
  });

  it('confirms the fork whose 2xx arrives, while the other stays early until it is ended', () => {
    const dialogs = new DialogSet();
    dialogs.update(fork('bobPhone'));
    dialogs.update(fork('bobLaptop'));
    const ok = inviteResponse(200, { toTag: 'bobLaptop' });
    const winner = dialogs.findForResponse(ok)!;
    dialogs.update(stepDialog(winner, { kind: 'response', response: ok }).state);
    const states = dialogs.forked(CALL_ID, 'alice1').map((d) => [d.id.remoteTag, d.name]);
    expect(states).toEqual([
      ['bobPhone', 'early'],
      ['bobLaptop', 'confirmed'],
    ]);
    const loser = dialogs.get({ callId: CALL_ID, localTag: 'alice1', remoteTag: 'bobPhone' })!;
    dialogs.update(stepDialog(loser, { kind: 'terminate' }).state);
    expect(dialogs.forked(CALL_ID, 'alice1').map((d) => d.id.remoteTag)).toEqual(['bobLaptop']);
  });

  it('drops a dialog once a step terminates it, and forgets the fork group when empty', () => {
    const dialogs = new DialogSet();
    const state = fork('bob1', 200);
    dialogs.update(state);
    const ended = stepDialog(state, { kind: 'response', response: inDialogResponse(481, 'INFO', 315) }).state;
    dialogs.update(ended);
    expect(dialogs.size).toBe(0);
    expect(dialogs.forked(CALL_ID, 'alice1')).toEqual([]);
    expect(dialogs.get(state.id)).toBeUndefined();
  });

  it('bounds the forks one INVITE can make', () => {
    const dialogs = new DialogSet();
    for (let i = 0; i < MAX_FORKED_DIALOGS; i++) expect(dialogs.update(fork(`f${i}`))).toBe(true);
    expect(dialogs.update(fork('one-too-many'))).toBe(false);
    expect(dialogs.size).toBe(MAX_FORKED_DIALOGS);
    // Updating a fork it already holds is always fine.
    expect(dialogs.update(fork('f0', 200))).toBe(true);
  });
});
