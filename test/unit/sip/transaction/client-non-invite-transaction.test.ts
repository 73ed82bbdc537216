import { describe, expect, it } from 'vitest';
import {
  type ClientNonInviteState,
  createClientNonInviteState,
  stepClientNonInvite,
} from '../../../../main/sip/transaction/client-non-invite-transaction';
import type {
  ClientTransactionInput,
  TransactionAction,
} from '../../../../main/sip/transaction/transaction-actions';
import { timerSettings } from '../../../../main/sip/transaction/timers';
import { formatViaValue } from '../../../../main/sip/message/builders';
import { outgoingRequest, responseTo } from './harness';

const request = outgoingRequest('REGISTER');
request.prependHeader('Via', formatViaValue('UDP', '192.0.2.1:5060', 'z9hG4bKreg1'));

const send: ClientTransactionInput = { kind: 'send' };
const timer = (name: 'E' | 'F' | 'K'): ClientTransactionInput => ({ kind: 'timer', name });
const response = (status: number): ClientTransactionInput => ({
  kind: 'response',
  response: responseTo(request, status),
});

function run(state: ClientNonInviteState, ...inputs: ClientTransactionInput[]) {
  let current = state;
  let actions: readonly TransactionAction[] = [];
  for (const input of inputs) ({ state: current, actions } = stepClientNonInvite(current, input));
  return { state: current, actions };
}

function kinds(actions: readonly TransactionAction[]): string[] {
  return actions.map((a) =>
    a.kind === 'start-timer'
      ? `start ${a.name} ${a.ms}`
      : a.kind === 'cancel-timer'
        ? `cancel ${a.name}`
        : a.kind,
  );
}

/** The intervals Timer E is restarted with over `count` expiries, feeding `between` after the n-th. */
function timerEIntervals(state: ClientNonInviteState, count: number): number[] {
  const out: number[] = [];
  let current = state;
  for (let i = 0; i < count; i++) {
    const step = stepClientNonInvite(current, timer('E'));
    current = step.state;
    expect(step.actions[0]).toEqual({ kind: 'send-request' });
    const start = step.actions[1];
    if (start?.kind !== 'start-timer' || start.name !== 'E') throw new Error('expected Timer E restart');
    out.push(start.ms);
  }
  return out;
}

describe('non-INVITE client transaction (RFC 3261 §17.1.2)', () => {
  const udp = () => createClientNonInviteState({ reliable: false });
  const tcp = () => createClientNonInviteState({ reliable: true });

  it('sends and starts Timer E at T1 and Timer F at 64*T1 on UDP', () => {
    const { state, actions } = run(udp(), send);
    expect(state.name).toBe('trying');
    expect(kinds(actions)).toEqual(['send-request', 'start E 500', 'start F 32000']);
  });

  it('starts only Timer F on TCP', () => {
    expect(kinds(run(tcp(), send).actions)).toEqual(['send-request', 'start F 32000']);
  });

  it('doubles Timer E up to T2 while Trying', () => {
    expect(timerEIntervals(run(udp(), send).state, 6)).toEqual([1000, 2000, 4000, 4000, 4000, 4000]);
  });

  it('caps Timer E at a configured T2', () => {
    const state = createClientNonInviteState({ reliable: false, timers: timerSettings({ t2: 1500 }) });
    expect(timerEIntervals(run(state, send).state, 3)).toEqual([1000, 1500, 1500]);
  });

  it('moves to Proceeding on a provisional and delivers it, leaving Timer E running', () => {
    const { state, actions } = run(udp(), send, response(100));
    expect(state.name).toBe('proceeding');
    expect(kinds(actions)).toEqual(['deliver']);
  });

  it('retransmits at T2 once Proceeding (§17.1.2.2)', () => {
    const proceeding = run(udp(), send, response(180)).state;
    expect(timerEIntervals(proceeding, 3)).toEqual([4000, 4000, 4000]);
  });

  it('reports a timeout when Timer F fires in Trying or Proceeding', () => {
    expect(kinds(run(udp(), send, timer('F')).actions)).toEqual(['timeout', 'terminated']);
    expect(kinds(run(udp(), send, response(100), timer('F')).actions)).toEqual(['timeout', 'terminated']);
  });

  it.each([200, 202, 302, 401, 404, 503, 603])('completes on a %i and starts Timer K at T4', (status) => {
    const { state, actions } = run(udp(), send, response(status));
    expect(state.name).toBe('completed');
    expect(kinds(actions)).toEqual(['cancel E', 'cancel F', 'deliver', 'start K 5000']);
  });

  it('completes from Proceeding too', () => {
    const { state } = run(udp(), send, response(100), response(200));
    expect(state.name).toBe('completed');
  });

  it('absorbs retransmitted finals and late provisionals in Completed', () => {
    const completed = run(udp(), send, response(200)).state;
    expect(stepClientNonInvite(completed, response(200)).actions).toEqual([]);
    expect(stepClientNonInvite(completed, response(404)).actions).toEqual([]);
    expect(stepClientNonInvite(completed, response(180)).actions).toEqual([]);
    expect(stepClientNonInvite(completed, timer('E')).actions).toEqual([]);
    expect(stepClientNonInvite(completed, timer('F')).actions).toEqual([]);
  });

  it('terminates when Timer K fires', () => {
    expect(kinds(run(udp(), send, response(200), timer('K')).actions)).toEqual(['terminated']);
  });

  it('goes straight to Terminated on a final over TCP (Timer K is zero)', () => {
    const { state, actions } = run(tcp(), send, response(200));
    expect(state.name).toBe('terminated');
    expect(kinds(actions)).toEqual(['deliver', 'terminated']);
  });

  it('reports a transport error in Trying and in Proceeding', () => {
    expect(kinds(run(udp(), send, { kind: 'transport-error' }).actions)).toEqual([
      'transport-failed',
      'terminated',
    ]);
    expect(kinds(run(udp(), send, response(100), { kind: 'transport-error' }).actions)).toEqual([
      'transport-failed',
      'terminated',
    ]);
  });

  it('ignores a transport error in Completed', () => {
    const completed = run(udp(), send, response(200)).state;
    expect(stepClientNonInvite(completed, { kind: 'transport-error' }).actions).toEqual([]);
  });
});

describe('non-INVITE client transaction moved to TCP by the transport (RFC 3261 §18.1.1)', () => {
  const udp = () => createClientNonInviteState({ reliable: false });
  const tcp = () => createClientNonInviteState({ reliable: true });
  const switched: ClientTransactionInput = { kind: 'transport-reliable' };

  it('stops Timer E in Trying and keeps Timer F', () => {
    const { state, actions } = run(udp(), send, switched);
    expect(state).toMatchObject({ name: 'trying', reliable: true });
    expect(kinds(actions)).toEqual(['cancel E']);
  });

  it('stops Timer E in Proceeding', () => {
    const { state, actions } = run(udp(), send, response(100), switched);
    expect(state).toMatchObject({ name: 'proceeding', reliable: true });
    expect(kinds(actions)).toEqual(['cancel E']);
  });

  it('then ends at the final response with no Timer K', () => {
    const { state, actions } = run(udp(), send, switched, response(200));
    expect(state.name).toBe('terminated');
    expect(kinds(actions)).toEqual(['deliver', 'terminated']);
  });

  it('ends a Completed transaction at once, as a zero Timer K would', () => {
    const { state, actions } = run(udp(), send, response(404), switched);
    expect(state.name).toBe('terminated');
    expect(kinds(actions)).toEqual(['cancel K', 'terminated']);
  });

  it('before the send, makes the send a reliable one', () => {
    const { state, actions } = run(udp(), switched, send);
    expect(state.reliable).toBe(true);
    expect(kinds(actions)).toEqual(['send-request', 'start F 32000']);
  });

  it('is absorbed by a transaction that is reliable already', () => {
    const trying = run(tcp(), send).state;
    expect(stepClientNonInvite(trying, switched)).toEqual({ state: trying, actions: [] });
  });
});
