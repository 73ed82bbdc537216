// Two transaction layers talking over a lossy in-memory datagram wire: drops, duplicates, reordering, and seeded
// random loss. Whatever the network does, each TU hears of each request and each outcome exactly once.
import { describe, expect, it } from 'vitest';
import { createResponse } from '../../../../main/sip/message/builders';
import { TransactionLayer } from '../../../../main/sip/transaction/transaction-layer';
import type { Destination } from '../../../../main/sip/transport/types';
import { ManualClock } from '../../../support/manual-clock';
import { SeededRandom } from '../../../support/seeded-random';
import {
  LossyWire,
  RecordingClientUser,
  RecordingServerUser,
  type WireKnobs,
  outgoingRequest,
} from './harness';

const BOB: Destination = { protocol: 'udp', address: '198.51.100.7', port: 5060 };

function pair(knobs: WireKnobs = {}) {
  const clock = new ManualClock();
  const wire = new LossyWire(clock, knobs);
  const aliceEnd = wire.endpoint('192.0.2.1');
  const bobEnd = wire.endpoint('198.51.100.7');
  const aliceCore = new RecordingServerUser();
  const bobCore = new RecordingServerUser();
  const alice = new TransactionLayer({
    clock,
    random: new SeededRandom(1),
    transport: aliceEnd,
    user: aliceCore,
  });
  const bob = new TransactionLayer({ clock, random: new SeededRandom(2), transport: bobEnd, user: bobCore });
  aliceEnd.layer = alice;
  bobEnd.layer = bob;
  const sent = (start: string) => wire.trace.filter((t) => t.firstLine.startsWith(start));
  return { clock, wire, alice, bob, aliceCore, bobCore, sent };
}

/** Drops the first `count` messages whose first line starts with `start`. */
function dropFirst(count: number, start: string): (text: string) => boolean {
  let seen = 0;
  return (text) => text.startsWith(start) && seen++ < count;
}

describe('transactions over a lossy wire', () => {
  it('survives lost INVITEs: Timer A retransmits, the UAS sees one request', () => {
    const { clock, alice, bob, bobCore, sent } = pair({ drop: dropFirst(2, 'INVITE ') });
    bobCore.answer = (request, transaction) =>
      transaction.respond(createResponse(request, 486, { toTag: 'b' }));
    const user = new RecordingClientUser();
    alice.sendRequest(outgoingRequest('INVITE'), BOB, user);
    clock.runUntilIdle();
    expect(sent('INVITE ').map((t) => t.at)).toEqual([0, 500, 1500]);
    expect(bobCore.requests).toHaveLength(1);
    expect(user.events).toEqual(['486', 'terminated']);
    expect(bobCore.ackTimeouts).toEqual([]);
    expect(alice.activeTransactions()).toEqual({ client: 0, server: 0 });
    expect(bob.activeTransactions()).toEqual({ client: 0, server: 0 });
  });

  it('survives lost final responses: Timer G retransmits, the UAC hears one', () => {
    const { clock, alice, bobCore, sent } = pair({ drop: dropFirst(2, 'SIP/2.0 486') });
    bobCore.answer = (request, transaction) =>
      transaction.respond(createResponse(request, 486, { toTag: 'b' }));
    const user = new RecordingClientUser();
    alice.sendRequest(outgoingRequest('INVITE'), BOB, user);
    clock.runUntilIdle();
    // At 510 both Timer G and the retransmitted INVITE (sent at 500) resend the 486.
    expect(sent('SIP/2.0 486').map((t) => t.at)).toEqual([10, 510, 510]);
    expect(user.finals.map((r) => r.status)).toEqual([486]);
    expect(bobCore.requests).toHaveLength(1);
    expect(bobCore.ackTimeouts).toEqual([]);
  });

  it('survives a lost ACK: the UAS retransmits the final, the UAC re-ACKs from Completed', () => {
    const { clock, alice, bobCore, sent } = pair({ drop: dropFirst(1, 'ACK ') });
    bobCore.answer = (request, transaction) =>
      transaction.respond(createResponse(request, 603, { toTag: 'b' }));
    const user = new RecordingClientUser();
    alice.sendRequest(outgoingRequest('INVITE'), BOB, user);
    clock.runUntilIdle();
    expect(sent('ACK ').map((t) => t.at)).toEqual([20, 520]);
    expect(sent('SIP/2.0 603')).toHaveLength(2);
    expect(user.finals.map((r) => r.status)).toEqual([603]);
    expect(bobCore.ackTimeouts).toEqual([]);
    expect(bobCore.acks).toEqual([]);
  });

  it('delivers everything once to each TU when every message is duplicated', () => {
    const { clock, alice, bobCore } = pair({ duplicate: () => true });
    bobCore.answer = (request, transaction) =>
      transaction.respond(createResponse(request, 200, { toTag: 'b' }));
    const user = new RecordingClientUser();
    alice.sendRequest(outgoingRequest('MESSAGE'), BOB, user);
    clock.runUntilIdle();
    expect(bobCore.requests).toHaveLength(1);
    expect(user.events).toEqual(['200', 'terminated']);
  });

  it('delivers a non-2xx to an INVITE once when every message is duplicated', () => {
    const { clock, alice, bobCore } = pair({ duplicate: () => true });
    bobCore.answer = (request, transaction) =>
      transaction.respond(createResponse(request, 486, { toTag: 'b' }));
    const user = new RecordingClientUser();
    alice.sendRequest(outgoingRequest('INVITE'), BOB, user);
    clock.runUntilIdle();
    expect(bobCore.requests).toHaveLength(1);
    expect(user.events).toEqual(['486', 'terminated']);
    expect(bobCore.acks).toEqual([]);
  });

  it('ignores a provisional overtaken by the 2xx', () => {
    const { clock, alice, bobCore } = pair({ delay: (text) => (text.startsWith('SIP/2.0 180') ? 50 : 10) });
    bobCore.answer = (request, transaction) => {
      transaction.respond(createResponse(request, 180, { toTag: 'b' }));
      transaction.respond(createResponse(request, 200, { toTag: 'b' }));
    };
    const user = new RecordingClientUser();
    alice.sendRequest(outgoingRequest('INVITE'), BOB, user);
    clock.runUntilIdle();
    expect(user.provisional).toEqual([]);
    expect(user.finals.map((r) => r.status)).toEqual([200]);
  });

  it('recovers a lost 2xx through the TU core’s retransmission, then ACKs end to end', () => {
    const { clock, alice, bob, bobCore, aliceCore, sent } = pair({ drop: dropFirst(1, 'SIP/2.0 200') });
    const ack = outgoingRequest('ACK', { toTag: 'b' });
    const user: RecordingClientUser = new RecordingClientUser();
    user.onFinal = (response) => {
      user.finals.push(response);
      void alice.sendAck(ack, BOB);
    };
    bobCore.answer = (request, transaction) => {
      const ok = createResponse(request, 200, { toTag: 'b' });
      transaction.respond(ok);
      // The UAS core retransmits its 2xx until the ACK comes (§13.3.1.4); one retransmission is enough here.
      clock.setTimer(500, () => transaction.respond(ok));
    };
    alice.sendRequest(outgoingRequest('INVITE'), BOB, user);
    clock.runUntilIdle();
    expect(bobCore.requests).toHaveLength(1);
    expect(sent('INVITE ').length).toBeGreaterThan(1);
    expect(sent('SIP/2.0 200').map((t) => t.at)).toEqual([10, 510]);
    expect(user.finals.map((r) => r.status)).toEqual([200]);
    expect(bobCore.acks).toHaveLength(1);
    expect(aliceCore.stray2xx).toEqual([]);
    expect(bob.activeTransactions()).toEqual({ client: 0, server: 0 });
  });

  it('times out on both sides when every response is lost', () => {
    const { clock, alice, bob, bobCore, sent } = pair({ drop: (text) => text.startsWith('SIP/2.0') });
    bobCore.answer = (request, transaction) =>
      transaction.respond(createResponse(request, 486, { toTag: 'b' }));
    const user = new RecordingClientUser();
    alice.sendRequest(outgoingRequest('INVITE'), BOB, user);
    clock.runUntilIdle();
    expect(user.events).toEqual(['408', 'terminated']);
    expect(bobCore.requests).toHaveLength(1);
    expect(bobCore.ackTimeouts).toHaveLength(1);
    expect(sent('ACK ')).toEqual([]);
    expect(alice.activeTransactions()).toEqual({ client: 0, server: 0 });
    expect(bob.activeTransactions()).toEqual({ client: 0, server: 0 });
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])(
    'completes a MESSAGE exactly once under 40%% random loss (seed %i)',
    (seed) => {
      const random = new SeededRandom(seed);
      const { clock, alice, bob, bobCore } = pair({ drop: () => random.fraction() < 0.4 });
      bobCore.answer = (request, transaction) =>
        transaction.respond(createResponse(request, 200, { toTag: 'b' }));
      const user = new RecordingClientUser();
      alice.sendRequest(outgoingRequest('MESSAGE'), BOB, user);
      clock.runUntilIdle();
      expect(user.finals).toHaveLength(1);
      expect([200, 408]).toContain(user.finals[0]!.status);
      expect(bobCore.requests.length).toBeLessThanOrEqual(1);
      if (user.finals[0]!.status === 200) expect(bobCore.requests).toHaveLength(1);
      expect(user.terminated).toBe(true);
      expect(alice.activeTransactions()).toEqual({ client: 0, server: 0 });
      expect(bob.activeTransactions()).toEqual({ client: 0, server: 0 });
    },
  );

  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'completes a rejected INVITE exactly once under 40%% random loss (seed %i)',
    (seed) => {
      const random = new SeededRandom(100 + seed);
      const { clock, alice, bob, bobCore } = pair({ drop: () => random.fraction() < 0.4 });
      bobCore.answer = (request, transaction) =>
        transaction.respond(createResponse(request, 486, { toTag: 'b' }));
      const user = new RecordingClientUser();
      alice.sendRequest(outgoingRequest('INVITE'), BOB, user);
      clock.runUntilIdle();
      expect(user.finals).toHaveLength(1);
      expect([486, 408]).toContain(user.finals[0]!.status);
      expect(bobCore.requests.length).toBeLessThanOrEqual(1);
      expect(alice.activeTransactions()).toEqual({ client: 0, server: 0 });
      expect(bob.activeTransactions()).toEqual({ client: 0, server: 0 });
    },
  );
});
