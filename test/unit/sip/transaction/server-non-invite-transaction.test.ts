import { describe, expect, it } from 'vitest';
import { createResponse } from '../../../../main/sip/message/builders';
import {
  type ServerNonInviteState,
  createServerNonInviteState,
  stepServerNonInvite,
} from '../../../../main/sip/transaction/server-non-invite-transaction';
import type {
  ServerTransactionInput,
  TransactionAction,
} from '../../../../main/sip/transaction/transaction-actions';
import { timerSettings } from '../../../../main/sip/transaction/timers';
import { incomingRequest } from './harness';

const request = incomingRequest('OPTIONS');
const receive: ServerTransactionInput = { kind: 'receive' };
const retransmission: ServerTransactionInput = { kind: 'request-retransmission' };
const tu = (status: number): ServerTransactionInput => ({
  kind: 'tu-response',
  response: createResponse(request, status, { toTag: 'alicetag' }),
});

function run(state: ServerNonInviteState, ...inputs: ServerTransactionInput[]) {
  let current = state;
  let actions: readonly TransactionAction[] = [];
  for (const input of inputs) ({ state: current, actions } = stepServerNonInvite(current, input));
  return { state: current, actions };
}

function kinds(actions: readonly TransactionAction[]): string[] {
  return actions.map((a) => {
    if (a.kind === 'start-timer') return `start ${a.name} ${a.ms}`;
    if (a.kind === 'send-response') return `send ${a.response.status}`;
    return a.kind;
  });
}

describe('non-INVITE server transaction (RFC 3261 §17.2.2)', () => {
  const udp = () => createServerNonInviteState({ reliable: false });
  const tcp = () => createServerNonInviteState({ reliable: true });

  it('enters Trying when the request arrives and sends nothing by itself', () => {
    const { state, actions } = run(udp(), receive);
    expect(state.name).toBe('trying');
    expect(actions).toEqual([]);
  });

  it('absorbs retransmissions in Trying', () => {
    expect(run(udp(), receive, retransmission).actions).toEqual([]);
  });

  it('moves to Proceeding on a provisional from the TU and resends it for retransmissions', () => {
    const proceeding = run(udp(), receive, tu(100));
    expect(proceeding.state.name).toBe('proceeding');
    expect(kinds(proceeding.actions)).toEqual(['send 100']);
    expect(kinds(stepServerNonInvite(proceeding.state, retransmission).actions)).toEqual(['send 100']);
  });

  it('moves to Completed on a final response and starts Timer J at 64*T1 on UDP', () => {
    const { state, actions } = run(udp(), receive, tu(200));
    expect(state.name).toBe('completed');
    expect(kinds(actions)).toEqual(['send 200', 'start J 32000']);
  });

  it('scales Timer J with T1', () => {
    const state = createServerNonInviteState({ reliable: false, timers: timerSettings({ t1: 250 }) });
    expect(kinds(run(state, receive, tu(404)).actions)).toEqual(['send 404', 'start J 16000']);
  });

  it('completes from Proceeding too', () => {
    expect(run(udp(), receive, tu(100), tu(486)).state.name).toBe('completed');
  });

  it('resends the final response for each retransmission in Completed', () => {
    const completed = run(udp(), receive, tu(100), tu(404)).state;
    expect(kinds(stepServerNonInvite(completed, retransmission).actions)).toEqual(['send 404']);
    expect(kinds(stepServerNonInvite(completed, retransmission).actions)).toEqual(['send 404']);
  });

  it('discards further responses from the TU in Completed', () => {
    expect(run(udp(), receive, tu(200), tu(500)).actions).toEqual([]);
    expect(run(udp(), receive, tu(200), tu(180)).actions).toEqual([]);
  });

  it('terminates when Timer J fires', () => {
    expect(kinds(run(udp(), receive, tu(200), { kind: 'timer', name: 'J' }).actions)).toEqual(['terminated']);
  });

  it('goes straight to Terminated after the final response on TCP (Timer J is zero)', () => {
    const { state, actions } = run(tcp(), receive, tu(200));
    expect(state.name).toBe('terminated');
    expect(kinds(actions)).toEqual(['send 200', 'terminated']);
  });

  it('reports a transport error and terminates', () => {
    expect(kinds(run(udp(), receive, tu(100), { kind: 'transport-error' }).actions)).toEqual([
      'transport-failed',
      'terminated',
    ]);
    expect(kinds(run(udp(), receive, tu(200), { kind: 'transport-error' }).actions)).toEqual([
      'transport-failed',
      'terminated',
    ]);
  });
});
