import { describe, expect, it } from 'vitest';
import { createResponse } from '../../../../main/sip/message/builders';
import {
  type ServerInviteState,
  createServerInviteState,
  stepServerInvite,
} from '../../../../main/sip/transaction/server-invite-transaction';
import type {
  ServerTransactionInput,
  TransactionAction,
} from '../../../../main/sip/transaction/transaction-actions';
import { timerSettings } from '../../../../main/sip/transaction/timers';
import { incomingRequest } from './harness';

const invite = incomingRequest('INVITE');
const ack = incomingRequest('ACK', { cseqMethod: 'ACK', toTag: 'alicetag' });

const receive: ServerTransactionInput = { kind: 'receive' };
const retransmission: ServerTransactionInput = { kind: 'request-retransmission' };
const ackInput: ServerTransactionInput = { kind: 'ack', ack };
const timer = (name: 'G' | 'H' | 'I' | 'L' | 'Trying'): ServerTransactionInput => ({ kind: 'timer', name });
const tu = (status: number): ServerTransactionInput => ({
  kind: 'tu-response',
  response: createResponse(invite, status, { toTag: 'alicetag' }),
});

function run(state: ServerInviteState, ...inputs: ServerTransactionInput[]) {
  let current = state;
  let actions: readonly TransactionAction[] = [];
  for (const input of inputs) ({ state: current, actions } = stepServerInvite(current, input));
  return { state: current, actions };
}

function kinds(actions: readonly TransactionAction[]): string[] {
  return actions.map((a) => {
    if (a.kind === 'start-timer') return `start ${a.name} ${a.ms}`;
    if (a.kind === 'cancel-timer') return `cancel ${a.name}`;
    if (a.kind === 'send-response') return `send ${a.response.status}`;
    return a.kind;
  });
}

describe('INVITE server transaction (RFC 3261 §17.2.1, RFC 6026)', () => {
  const udp = (overrides = {}) =>
    createServerInviteState(invite, { reliable: false, timers: timerSettings(overrides) });
  const tcp = () => createServerInviteState(invite, { reliable: true });

  it('enters Proceeding and starts the 200 ms 100 (Trying) timer', () => {
    const { state, actions } = run(udp(), receive);
    expect(state.name).toBe('proceeding');
    expect(kinds(actions)).toEqual(['start Trying 200']);
  });

  it('starts no 100 (Trying) timer when turned off', () => {
    expect(run(udp({ tryingDelay: false }), receive).actions).toEqual([]);
  });

  it('sends 100 (Trying) built from the INVITE when the TU stays silent', () => {
    const { state, actions } = run(udp(), receive, timer('Trying'));
    expect(kinds(actions)).toEqual(['send 100']);
    const trying = state.lastResponse!;
    expect(trying.status).toBe(100);
    expect(trying.headerValues('via')).toEqual(invite.headerValues('via'));
    expect(trying.callId).toBe(invite.callId);
    expect(trying.cseq).toEqual(invite.cseq);
    expect(trying.to.tag).toBeUndefined();
  });

  it('cancels the 100 (Trying) timer once the TU answers, and ignores a stale expiry', () => {
    const { state, actions } = run(udp(), receive, tu(180));
    expect(kinds(actions)).toEqual(['cancel Trying', 'send 180']);
    expect(stepServerInvite(state, timer('Trying')).actions).toEqual([]);
  });

  it('resends the latest provisional for an INVITE retransmission in Proceeding', () => {
    const { state, actions } = run(udp(), receive, tu(180), tu(183), retransmission);
    expect(state.name).toBe('proceeding');
    expect(kinds(actions)).toEqual(['send 183']);
  });

  it('absorbs an INVITE retransmission before anything was sent', () => {
    expect(run(udp(), receive, retransmission).actions).toEqual([]);
  });

  it('moves to Completed on a 300-699 and starts Timer G at T1 and Timer H at 64*T1 on UDP', () => {
    const { state, actions } = run(udp(), receive, tu(486));
    expect(state.name).toBe('completed');
    expect(kinds(actions)).toEqual(['cancel Trying', 'send 486', 'start G 500', 'start H 32000']);
  });

  it('starts no Timer G on TCP', () => {
    expect(kinds(run(tcp(), receive, tu(486)).actions)).toEqual([
      'cancel Trying',
      'send 486',
      'start H 32000',
    ]);
  });

  it('retransmits the final response on Timer G, doubling up to T2', () => {
    let { state } = run(udp(), receive, tu(486));
    const intervals: number[] = [];
    for (let i = 0; i < 5; i++) {
      const step = stepServerInvite(state, timer('G'));
      state = step.state;
      expect(kinds(step.actions)[0]).toBe('send 486');
      const start = step.actions[1];
      if (start?.kind !== 'start-timer') throw new Error('expected Timer G restart');
      intervals.push(start.ms);
    }
    expect(intervals).toEqual([1000, 2000, 4000, 4000, 4000]);
  });

  it('resends the final response for an INVITE retransmission in Completed', () => {
    expect(kinds(run(udp(), receive, tu(486), retransmission).actions)).toEqual(['send 486']);
  });

  it('discards further responses from the TU in Completed', () => {
    expect(run(udp(), receive, tu(486), tu(500)).actions).toEqual([]);
    expect(run(udp(), receive, tu(486), tu(200)).actions).toEqual([]);
  });

  it('reports the missing ACK when Timer H fires', () => {
    const { state, actions } = run(udp(), receive, tu(486), timer('H'));
    expect(state.name).toBe('terminated');
    expect(kinds(actions)).toEqual(['timeout', 'terminated']);
  });

  it('moves to Confirmed on the ACK: G and H stop, Timer I starts at T4', () => {
    const { state, actions } = run(udp(), receive, tu(486), ackInput);
    expect(state.name).toBe('confirmed');
    expect(kinds(actions)).toEqual(['cancel G', 'cancel H', 'start I 5000']);
  });

  it('absorbs ACK and INVITE retransmissions in Confirmed', () => {
    const confirmed = run(udp(), receive, tu(486), ackInput).state;
    expect(stepServerInvite(confirmed, ackInput).actions).toEqual([]);
    expect(stepServerInvite(confirmed, retransmission).actions).toEqual([]);
    expect(stepServerInvite(confirmed, timer('G')).actions).toEqual([]);
  });

  it('terminates when Timer I fires', () => {
    expect(kinds(run(udp(), receive, tu(486), ackInput, timer('I')).actions)).toEqual(['terminated']);
  });

  it('terminates on the ACK over TCP (Timer I is zero)', () => {
    const { state, actions } = run(tcp(), receive, tu(486), ackInput);
    expect(state.name).toBe('terminated');
    expect(kinds(actions)).toEqual(['terminated']);
  });

  it('moves to Accepted on a 2xx from the TU and starts Timer L (RFC 6026)', () => {
    const { state, actions } = run(udp(), receive, tu(200));
    expect(state.name).toBe('accepted');
    expect(kinds(actions)).toEqual(['cancel Trying', 'send 200', 'start L 32000']);
  });

  it('reaches Accepted from Proceeding after provisionals too', () => {
    expect(run(udp(), receive, tu(180), tu(200)).state.name).toBe('accepted');
  });

  it('absorbs INVITE retransmissions in Accepted: the TU core retransmits the 2xx, not the transaction', () => {
    expect(run(udp(), receive, tu(200), retransmission).actions).toEqual([]);
  });

  it('sends the TU’s 2xx retransmissions in Accepted', () => {
    const { state, actions } = run(udp(), receive, tu(200), tu(200));
    expect(state.name).toBe('accepted');
    expect(kinds(actions)).toEqual(['send 200']);
  });

  it('passes ACKs to the TU in Accepted', () => {
    const { state, actions } = run(udp(), receive, tu(200), ackInput);
    expect(state.name).toBe('accepted');
    expect(actions).toEqual([{ kind: 'deliver-ack', ack }]);
  });

  it('ignores non-2xx responses from the TU in Accepted', () => {
    expect(run(udp(), receive, tu(200), tu(486)).actions).toEqual([]);
  });

  it('terminates when Timer L fires', () => {
    expect(kinds(run(udp(), receive, tu(200), timer('L')).actions)).toEqual(['terminated']);
  });

  it('reports a transport error in Proceeding and Completed and terminates', () => {
    const error: ServerTransactionInput = { kind: 'transport-error' };
    expect(kinds(run(udp(), receive, tu(180), error).actions)).toEqual(['transport-failed', 'terminated']);
    expect(kinds(run(udp(), receive, tu(486), error).actions)).toEqual(['transport-failed', 'terminated']);
  });

  it('reports a transport error in Accepted but stays until Timer L', () => {
    const { state, actions } = run(udp(), receive, tu(200), { kind: 'transport-error' });
    expect(state.name).toBe('accepted');
    expect(kinds(actions)).toEqual(['transport-failed']);
  });
});
