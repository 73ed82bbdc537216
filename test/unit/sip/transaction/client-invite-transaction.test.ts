import { describe, expect, it } from 'vitest';
import {
  CLIENT_INVITE_TRANSITIONS,
  type ClientInviteState,
  createClientInviteState,
  stepClientInvite,
} from '../../../../main/sip/transaction/client-invite-transaction';
import type {
  ClientTransactionInput,
  TransactionAction,
} from '../../../../main/sip/transaction/transaction-actions';
import { timerSettings } from '../../../../main/sip/transaction/timers';
import { formatViaValue } from '../../../../main/sip/message/builders';
import type { SipRequest } from '../../../../main/sip/message/message';
import { outgoingRequest, overTheWire, responseTo } from './harness';

function invite(route: string[] = []): SipRequest {
  const request = outgoingRequest('INVITE', { route });
  request.prependHeader(
    'Via',
    formatViaValue('UDP', '192.0.2.1:5060', 'z9hG4bKclient1', new Map([['rport', null]])),
  );
  return request;
}

function run(state: ClientInviteState, ...inputs: ClientTransactionInput[]) {
  let current = state;
  let actions: TransactionAction[] = [];
  for (const input of inputs) {
    const step = stepClientInvite(current, input);
    current = step.state;
    actions = [...step.actions];
  }
  return { state: current, actions };
}

const send: ClientTransactionInput = { kind: 'send' };
const timer = (name: 'A' | 'B' | 'D' | 'M'): ClientTransactionInput => ({ kind: 'timer', name });
const response = (request: SipRequest, status: number): ClientTransactionInput => ({
  kind: 'response',
  response: responseTo(request, status),
});

function kinds(actions: readonly TransactionAction[]): string[] {
  return actions.map((a) =>
    a.kind === 'start-timer'
      ? `start ${a.name} ${a.ms}`
      : a.kind === 'cancel-timer'
        ? `cancel ${a.name}`
        : a.kind,
  );
}

describe('client INVITE transaction (RFC 3261 §17.1.1, RFC 6026)', () => {
  const udp = (request = invite()) => createClientInviteState(request, { reliable: false });
  const tcp = (request = invite()) => createClientInviteState(request, { reliable: true });

  it('starts in initial and does nothing before the TU sends', () => {
    const state = udp();
    expect(state.name).toBe('initial');
    expect(run(state, timer('A')).actions).toEqual([]);
  });

  it('sends the INVITE and starts Timer A at T1 and Timer B at 64*T1 on UDP', () => {
    const { state, actions } = run(udp(), send);
    expect(state.name).toBe('calling');
    expect(kinds(actions)).toEqual(['send-request', 'start A 500', 'start B 32000']);
  });

  it('starts no Timer A on a reliable transport', () => {
    const { state, actions } = run(tcp(), send);
    expect(state.name).toBe('calling');
    expect(kinds(actions)).toEqual(['send-request', 'start B 32000']);
  });

  it('doubles Timer A on every expiry without a cap', () => {
    let { state } = run(udp(), send);
    const intervals: number[] = [];
    for (let i = 0; i < 6; i++) {
      const step = stepClientInvite(state, timer('A'));
      state = step.state;
      expect(step.actions[0]).toEqual({ kind: 'send-request' });
      const start = step.actions[1];
      if (start?.kind !== 'start-timer') throw new Error('expected a timer start');
      intervals.push(start.ms);
    }
    expect(intervals).toEqual([1000, 2000, 4000, 8000, 16000, 32000]);
    expect(state.name).toBe('calling');
  });

  it('reports a timeout and terminates when Timer B fires in Calling', () => {
    const { state, actions } = run(udp(), send, timer('B'));
    expect(state.name).toBe('terminated');
    expect(kinds(actions)).toEqual(['timeout', 'terminated']);
  });

  it('takes its timers from the settings', () => {
    const state = createClientInviteState(invite(), { reliable: false, timers: timerSettings({ t1: 100 }) });
    expect(kinds(run(state, send).actions)).toEqual(['send-request', 'start A 100', 'start B 6400']);
  });

  it('moves to Proceeding on a provisional, stops retransmitting and delivers it', () => {
    const request = invite();
    const { state, actions } = run(udp(request), send, response(request, 180));
    expect(state.name).toBe('proceeding');
    expect(kinds(actions)).toEqual(['cancel A', 'cancel B', 'deliver']);
  });

  it('delivers further provisionals in Proceeding', () => {
    const request = invite();
    const { state, actions } = run(udp(request), send, response(request, 100), response(request, 183));
    expect(state.name).toBe('proceeding');
    expect(kinds(actions)).toEqual(['deliver']);
  });

  it('ignores stale Timer A and B expiries once Proceeding', () => {
    const request = invite();
    const proceeding = run(udp(request), send, response(request, 180)).state;
    expect(stepClientInvite(proceeding, timer('A'))).toEqual({ state: proceeding, actions: [] });
    expect(stepClientInvite(proceeding, timer('B'))).toEqual({ state: proceeding, actions: [] });
  });

  it('moves to Accepted on a 2xx, delivers it and starts Timer M (RFC 6026)', () => {
    const request = invite();
    const { state, actions } = run(udp(request), send, response(request, 200));
    expect(state.name).toBe('accepted');
    expect(kinds(actions)).toEqual(['cancel A', 'cancel B', 'deliver', 'start M 32000']);
  });

  it('passes every further 2xx to the TU while Accepted', () => {
    const request = invite();
    const { state, actions } = run(udp(request), send, response(request, 200), response(request, 200));
    expect(state.name).toBe('accepted');
    expect(kinds(actions)).toEqual(['deliver']);
  });

  it('absorbs provisionals and non-2xx finals while Accepted', () => {
    const request = invite();
    const accepted = run(udp(request), send, response(request, 200)).state;
    expect(stepClientInvite(accepted, response(request, 180)).actions).toEqual([]);
    expect(stepClientInvite(accepted, response(request, 486)).actions).toEqual([]);
  });

  it('terminates when Timer M fires', () => {
    const request = invite();
    const { state, actions } = run(udp(request), send, response(request, 200), timer('M'));
    expect(state.name).toBe('terminated');
    expect(kinds(actions)).toEqual(['terminated']);
  });

  it('ACKs a 300-699, delivers it and starts Timer D at 32 s on UDP', () => {
    const request = invite();
    const { state, actions } = run(udp(request), send, response(request, 486));
    expect(state.name).toBe('completed');
    expect(kinds(actions)).toEqual(['cancel A', 'cancel B', 'send-ack', 'deliver', 'start D 32000']);
  });

  it('goes straight to Terminated after the ACK on TCP (Timer D is zero)', () => {
    const request = invite();
    const { state, actions } = run(tcp(request), send, response(request, 603));
    expect(state.name).toBe('terminated');
    expect(kinds(actions)).toEqual(['cancel A', 'cancel B', 'send-ack', 'deliver', 'terminated']);
  });

  it('builds the ACK per §17.1.1.3: same branch and Request-URI, Route copied, To from the response', () => {
    const request = invite(['<sip:proxy1.example.test;lr>', '<sip:proxy2.example.test;lr>']);
    const busy = response(request, 486);
    const { actions } = run(udp(request), send, busy);
    const sendAck = actions.find((a) => a.kind === 'send-ack');
    if (sendAck?.kind !== 'send-ack') throw new Error('no ACK');
    const ack = overTheWire(sendAck.ack);
    expect(ack.method).toBe('ACK');
    expect(ack.requestUriText).toBe(request.requestUriText);
    expect(ack.headerValues('via')).toEqual([request.headerValues('via')[0]]);
    expect(ack.topVia?.branch).toBe('z9hG4bKclient1');
    expect(ack.headerLines('route')).toEqual(request.headerLines('route'));
    expect(ack.callId).toBe(request.callId);
    expect(ack.header('from')).toBe(request.header('from'));
    expect(ack.to.tag).toBe('bobtag');
    expect(ack.cseq).toEqual({ seq: request.cseq.seq, method: 'ACK' });
    expect(ack.maxForwards).toBe(70);
    expect(ack.body.length).toBe(0);
  });

  it('resends the same ACK, without delivering, for each retransmitted final response', () => {
    const request = invite();
    const completed = run(udp(request), send, response(request, 486));
    const first = completed.actions.find((a) => a.kind === 'send-ack');
    const again = stepClientInvite(completed.state, response(request, 486));
    expect(again.state.name).toBe('completed');
    expect(again.actions).toEqual([first]);
  });

  it('terminates when Timer D fires', () => {
    const request = invite();
    const { state, actions } = run(udp(request), send, response(request, 486), timer('D'));
    expect(state.name).toBe('terminated');
    expect(kinds(actions)).toEqual(['terminated']);
  });

  it('absorbs a 2xx arriving in Completed', () => {
    const request = invite();
    const completed = run(udp(request), send, response(request, 486)).state;
    expect(stepClientInvite(completed, response(request, 200)).actions).toEqual([]);
  });

  it('reports a transport error in Calling and terminates', () => {
    const { state, actions } = run(udp(), send, { kind: 'transport-error' });
    expect(state.name).toBe('terminated');
    expect(kinds(actions)).toEqual(['transport-failed', 'terminated']);
  });

  it('reports a transport error while sending the ACK in Completed', () => {
    const request = invite();
    const { state, actions } = run(udp(request), send, response(request, 486), { kind: 'transport-error' });
    expect(state.name).toBe('terminated');
    expect(kinds(actions)).toEqual(['transport-failed', 'terminated']);
  });

  it('ignores a transport error once Proceeding (nothing of ours is in flight)', () => {
    const request = invite();
    const proceeding = run(udp(request), send, response(request, 180)).state;
    expect(stepClientInvite(proceeding, { kind: 'transport-error' }).actions).toEqual([]);
  });

  it('absorbs everything once Terminated', () => {
    const request = invite();
    const terminated = run(udp(request), send, timer('B')).state;
    for (const input of [send, timer('A'), response(request, 200), response(request, 486)])
      expect(stepClientInvite(terminated, input)).toEqual({ state: terminated, actions: [] });
  });

  it('has a table whose rows name only RFC states', () => {
    const states = new Set([
      'initial',
      'calling',
      'proceeding',
      'completed',
      'accepted',
      'terminated',
      'same',
    ]);
    for (const row of CLIENT_INVITE_TRANSITIONS) {
      for (const from of row.from) expect(states.has(from)).toBe(true);
      expect(states.has(row.to)).toBe(true);
      expect(row.from).not.toContain('terminated');
    }
  });
});

describe('client INVITE transaction moved to TCP by the transport (RFC 3261 §18.1.1)', () => {
  const udp = (request = invite()) => createClientInviteState(request, { reliable: false });
  const switched: ClientTransactionInput = { kind: 'transport-reliable' };

  it('stops Timer A in Calling and keeps Timer B', () => {
    const { state, actions } = run(udp(), send, switched);
    expect(state).toMatchObject({ name: 'calling', reliable: true });
    expect(kinds(actions)).toEqual(['cancel A']);
  });

  it('then goes from a 300-699 straight to Terminated after the ACK (Timer D zero)', () => {
    const request = invite();
    const { state, actions } = run(udp(request), send, switched, response(request, 486));
    expect(state.name).toBe('terminated');
    expect(kinds(actions)).toEqual(['cancel A', 'cancel B', 'send-ack', 'deliver', 'terminated']);
  });

  it('ends a Completed transaction at once, as a zero Timer D would', () => {
    const request = invite();
    const { state, actions } = run(udp(request), send, response(request, 486), switched);
    expect(state.name).toBe('terminated');
    expect(kinds(actions)).toEqual(['cancel D', 'terminated']);
  });

  it('only marks Proceeding and Accepted reliable (Timer M does not depend on the transport)', () => {
    const request = invite();
    for (const status of [180, 200]) {
      const before = run(udp(request), send, response(request, status)).state;
      const { state, actions } = run(before, switched);
      expect(state).toMatchObject({ name: before.name, reliable: true });
      expect(actions).toEqual([]);
    }
  });
});
