import { describe, expect, it } from 'vitest';
import type { ClientInviteState } from '../../../../main/sip/transaction/client-invite-transaction';
import type { ClientNonInviteState } from '../../../../main/sip/transaction/client-non-invite-transaction';
import type { ServerNonInviteState } from '../../../../main/sip/transaction/server-non-invite-transaction';
import {
  type ClientEvent,
  type MachineEvent,
  type NonInviteEvent,
  type ServerEvent,
  type Transition,
  clientEventOf,
  nonInviteEvent,
  onReliable,
  onUnreliable,
  runTransitions,
  serverEventOf,
  statusClass,
} from '../../../../main/sip/transaction/state-machine';
import type {
  ClientTransactionInput,
  ServerTransactionInput,
} from '../../../../main/sip/transaction/transaction-actions';
import { DEFAULT_TIMER_SETTINGS } from '../../../../main/sip/transaction/timers';
import { incomingRequest, outgoingRequest, responseTo } from './harness';

type ClientNonInviteRow = Transition<
  ClientNonInviteState,
  ClientTransactionInput,
  MachineEvent<NonInviteEvent<ClientEvent>, 'E' | 'F' | 'K'>
>;

describe('transition tables keyed by typed events', () => {
  it('accept the machine’s own events and reject misspelled or foreign ones at compile time', () => {
    const rows: ClientNonInviteRow[] = [
      { from: ['trying'], on: 'final', to: 'completed' },
      { from: ['completed'], on: 'timer:K', to: 'terminated' },
      // @ts-expect-error a misspelled event key does not compile
      { from: ['trying'], on: 'timer:f', to: 'terminated' },
      // @ts-expect-error an INVITE timer is not an event of the non-INVITE machine
      { from: ['trying'], on: 'timer:B', to: 'terminated' },
      // @ts-expect-error non-INVITE machines see `final`, never `2xx`
      { from: ['trying'], on: '2xx', to: 'completed' },
    ];
    const inviteRow: Transition<ClientInviteState, ClientTransactionInput, MachineEvent<ClientEvent, 'A'>> = {
      from: ['calling'],
      // @ts-expect-error `final` belongs to the non-INVITE machines
      on: 'final',
      to: 'completed',
    };
    expect(rows).toHaveLength(5);
    expect(inviteRow.to).toBe('completed');
  });
});

describe('shared classification', () => {
  it('maps statuses to classes, and non-INVITE machines fold 2xx and 300-699 into final', () => {
    expect([99, 100, 199, 200, 299, 300, 699, 700].map(statusClass)).toEqual([
      'invalid',
      '1xx',
      '1xx',
      '2xx',
      '2xx',
      '3xx-6xx',
      '3xx-6xx',
      'invalid',
    ]);
    expect(['1xx', '2xx', '3xx-6xx', 'timer:E'].map((event) => nonInviteEvent(event))).toEqual([
      '1xx',
      'final',
      'final',
      'timer:E',
    ]);
  });

  it('classifies client and server inputs alike', () => {
    const request = outgoingRequest('OPTIONS');
    request.prependHeader('Via', 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKsm');
    const response = responseTo(request, 486);
    expect(clientEventOf({ kind: 'response', response })).toBe('3xx-6xx');
    expect(clientEventOf({ kind: 'timer', name: 'E' })).toBe('timer:E');
    expect(clientEventOf({ kind: 'transport-reliable' })).toBe('transport-reliable');
    const tuResponse: ServerTransactionInput = { kind: 'tu-response', response };
    expect(serverEventOf(tuResponse)).toBe('3xx-6xx');
    expect(serverEventOf({ kind: 'ack', ack: incomingRequest('ACK') })).toBe('ack');
    const events: ServerEvent[] = [serverEventOf({ kind: 'timer', name: 'J' })];
    expect(events).toEqual(['timer:J']);
  });

  it('guards on the transport', () => {
    expect([onReliable({ reliable: true }), onUnreliable({ reliable: true })]).toEqual([true, false]);
  });

  it('absorbs an event no row names', () => {
    const state: ServerNonInviteState = { name: 'trying', reliable: false, timers: DEFAULT_TIMER_SETTINGS };
    const table: Transition<ServerNonInviteState, ServerTransactionInput, 'timer:J'>[] = [
      { from: ['completed'], on: 'timer:J', to: 'terminated' },
    ];
    expect(runTransitions(table, 'timer:J', state, { kind: 'timer', name: 'J' })).toEqual({
      state,
      actions: [],
    });
  });
});
