import { describe, expect, it } from 'vitest';
import { createResponse } from '../../../../main/sip/message/builders';
import type { SipRequest, SipResponse } from '../../../../main/sip/message/message';
import type { ServerTransaction } from '../../../../main/sip/transaction/server-transaction';
import { type SentRecord, incomingRequest, parse, settle, setup, sourceOf } from './harness';

function statusesOf(records: readonly SentRecord[]): number[] {
  return records.map((r) => (parse(r.text) as SipResponse).status);
}

function only<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0]!;
}

const respond = (transaction: ServerTransaction, status: number, toTag = 'alicetag') =>
  transaction.respond(createResponse(transaction.request, status, { toTag }));

/** The ACK a peer sends for our non-2xx final: same branch as its INVITE, To tag from our response. */
const ackFor = (options: Parameters<typeof incomingRequest>[1] = {}): SipRequest =>
  incomingRequest('ACK', { cseqMethod: 'ACK', toTag: 'alicetag', ...options });

describe('TransactionLayer: new requests', () => {
  it('hands a new request to the TU with its server transaction and source', () => {
    const { server, receive } = setup();
    receive(incomingRequest('OPTIONS'));
    const { request, transaction } = only(server.requests);
    expect(request.method).toBe('OPTIONS');
    expect(transaction.request).toBe(request);
    expect(transaction.kind).toBe('server-non-invite');
    expect(transaction.state).toBe('trying');
    expect(transaction.source).toEqual(sourceOf());
  });

  it('creates an INVITE server transaction in Proceeding', () => {
    const { server, receive } = setup();
    receive(incomingRequest('INVITE'));
    const { transaction } = only(server.requests);
    expect(transaction.kind).toBe('server-invite');
    expect(transaction.state).toBe('proceeding');
  });

  it('sends the TU’s response to the request’s source', () => {
    const { server, receive, transport } = setup();
    server.answer = (_request, transaction) => respond(transaction, 200);
    receive(incomingRequest('OPTIONS'));
    const sent = only(transport.responses(200));
    expect(sent.source).toEqual(sourceOf());
  });

  it('lets the TU answer later', () => {
    const { server, receive, transport, clock } = setup();
    receive(incomingRequest('MESSAGE'));
    clock.advance(3000);
    respond(server.requests[0]!.transaction, 202);
    expect(transport.times(transport.responses(202))).toEqual([3000]);
  });

  it('drops requests when there is no TU, without failing', () => {
    const { layer, server, receive, logs } = setup();
    layer.setUser(undefined);
    receive(incomingRequest('OPTIONS'));
    expect(server.requests).toEqual([]);
    expect(logs.some((l) => l.includes('no transaction user'))).toBe(true);
  });
});

describe('TransactionLayer: non-INVITE server transaction (Timer J)', () => {
  it('absorbs retransmissions before the TU answers', () => {
    const { server, receive, transport } = setup();
    receive(incomingRequest('OPTIONS'));
    receive(incomingRequest('OPTIONS'));
    receive(incomingRequest('OPTIONS'));
    expect(server.requests).toHaveLength(1);
    expect(transport.sent).toEqual([]);
  });

  it('resends the provisional for retransmissions in Proceeding', () => {
    const { server, receive, transport } = setup();
    receive(incomingRequest('REGISTER'));
    respond(server.requests[0]!.transaction, 100);
    receive(incomingRequest('REGISTER'));
    expect(statusesOf(transport.responses())).toEqual([100, 100]);
  });

  it('answers retransmissions with the last response until Timer J, then sees a new request', () => {
    const { server, receive, transport, clock } = setup();
    server.answer = (_request, transaction) => respond(transaction, 200);
    receive(incomingRequest('OPTIONS'));
    clock.advance(500);
    receive(incomingRequest('OPTIONS'));
    clock.advance(31_499);
    receive(incomingRequest('OPTIONS'));
    expect(transport.times(transport.responses(200))).toEqual([0, 500, 31_999]);
    expect(server.requests).toHaveLength(1);
    clock.advance(1);
    expect(server.requests[0]!.transaction.state).toBe('terminated');
    receive(incomingRequest('OPTIONS'));
    expect(server.requests).toHaveLength(2);
  });

  it('ends at once after the final response over TCP (Timer J is zero)', () => {
    const { server, receive, layer } = setup();
    server.answer = (_request, transaction) => respond(transaction, 200);
    receive(incomingRequest('OPTIONS'), 'tcp');
    expect(server.requests[0]!.transaction.state).toBe('terminated');
    expect(layer.activeTransactions().server).toBe(0);
  });

  it('drops a second final response from the TU', () => {
    const { server, receive, transport } = setup();
    receive(incomingRequest('OPTIONS'));
    const { transaction } = server.requests[0]!;
    respond(transaction, 200);
    respond(transaction, 500);
    expect(statusesOf(transport.responses())).toEqual([200]);
    expect(transaction.lastResponse?.status).toBe(200);
  });

  it('tells the TU when a response cannot be sent', async () => {
    const { server, receive, transport, layer } = setup();
    transport.failure = 'reject';
    receive(incomingRequest('OPTIONS'));
    respond(server.requests[0]!.transaction, 200);
    await settle();
    expect(server.transportErrors).toEqual([server.requests[0]!.transaction]);
    expect(layer.activeTransactions().server).toBe(0);
  });
});

describe('TransactionLayer: 100 (Trying) for INVITE (§17.2.1)', () => {
  it('sends 100 Trying when the TU has not answered within 200 ms', () => {
    const { receive, transport, clock } = setup();
    receive(incomingRequest('INVITE'));
    clock.advance(199);
    expect(transport.sent).toEqual([]);
    clock.advance(1);
    const trying = parse(only(transport.responses(100)).text) as SipResponse;
    expect(trying.to.tag).toBeUndefined();
    expect(trying.topVia?.branch).toBe('z9hG4bKpeer1');
  });

  it('resends the 100 Trying for an INVITE retransmission', () => {
    const { receive, transport, clock } = setup();
    receive(incomingRequest('INVITE'));
    clock.advance(500);
    receive(incomingRequest('INVITE'));
    expect(transport.times(transport.responses(100))).toEqual([200, 500]);
  });

  it('sends no 100 Trying when the TU answers within 200 ms', () => {
    const { server, receive, transport, clock } = setup();
    receive(incomingRequest('INVITE'));
    clock.advance(150);
    respond(server.requests[0]!.transaction, 180);
    clock.advance(10_000);
    expect(statusesOf(transport.responses())).toEqual([180]);
  });

  it('sends no 100 Trying when the TU answers at once', () => {
    const { server, receive, transport, clock } = setup();
    server.answer = (_request, transaction) => respond(transaction, 180);
    receive(incomingRequest('INVITE'));
    clock.advance(1000);
    expect(statusesOf(transport.responses())).toEqual([180]);
  });

  it('honours a configured delay, or none at all', () => {
    const late = setup({ timers: { tryingDelay: 50 } });
    late.receive(incomingRequest('INVITE'));
    late.clock.advance(50);
    expect(late.transport.times(late.transport.responses(100))).toEqual([50]);
    const off = setup({ timers: { tryingDelay: false } });
    off.receive(incomingRequest('INVITE'));
    off.clock.advance(10_000);
    expect(off.transport.sent).toEqual([]);
  });
});

describe('TransactionLayer: INVITE server transaction, non-2xx (Timers G, H, I)', () => {
  it('retransmits the final response on Timer G until Timer H tells the TU the ACK never came', () => {
    const { server, receive, transport, clock, layer } = setup();
    server.answer = (_request, transaction) => respond(transaction, 486);
    receive(incomingRequest('INVITE'));
    clock.advance(31_999);
    expect(transport.times(transport.responses(486))).toEqual([
      0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500,
    ]);
    expect(server.ackTimeouts).toEqual([]);
    clock.advance(1);
    expect(server.ackTimeouts).toEqual([server.requests[0]!.transaction]);
    expect(layer.activeTransactions().server).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('resends the final response for INVITE retransmissions', () => {
    const { server, receive, transport, clock } = setup();
    server.answer = (_request, transaction) => respond(transaction, 603);
    receive(incomingRequest('INVITE'));
    clock.advance(200);
    receive(incomingRequest('INVITE'));
    expect(transport.times(transport.responses(603))).toEqual([0, 200]);
    expect(server.requests).toHaveLength(1);
  });

  it('stops retransmitting on the ACK and absorbs ACK retransmissions for Timer I', () => {
    const { server, receive, transport, clock } = setup();
    server.answer = (_request, transaction) => respond(transaction, 486);
    receive(incomingRequest('INVITE'));
    clock.advance(700);
    receive(ackFor());
    const { transaction } = server.requests[0]!;
    expect(transaction.state).toBe('confirmed');
    clock.advance(4999);
    receive(ackFor());
    receive(incomingRequest('INVITE'));
    expect(transport.times(transport.responses(486))).toEqual([0, 500]);
    expect(server.acks).toEqual([]);
    expect(server.requests).toHaveLength(1);
    clock.advance(1);
    expect(transaction.state).toBe('terminated');
    expect(server.ackTimeouts).toEqual([]);
  });

  it('does not retransmit over TCP and ends on the ACK (Timer I is zero)', () => {
    const { server, receive, transport, clock } = setup();
    server.answer = (_request, transaction) => respond(transaction, 486);
    receive(incomingRequest('INVITE'), 'tcp');
    clock.advance(10_000);
    expect(transport.times(transport.responses(486))).toEqual([0]);
    receive(ackFor(), 'tcp');
    expect(server.requests[0]!.transaction.state).toBe('terminated');
  });

  it('still times out on Timer H over TCP', () => {
    const { server, receive, clock } = setup();
    server.answer = (_request, transaction) => respond(transaction, 486);
    receive(incomingRequest('INVITE'), 'tcp');
    clock.advance(32_000);
    expect(server.ackTimeouts).toHaveLength(1);
  });
});

describe('TransactionLayer: INVITE server transaction, 2xx (RFC 6026 Accepted, Timer L)', () => {
  it('sends the 2xx once and absorbs INVITE retransmissions', () => {
    const { server, receive, transport, clock } = setup();
    server.answer = (_request, transaction) => respond(transaction, 200);
    receive(incomingRequest('INVITE'));
    clock.advance(500);
    receive(incomingRequest('INVITE'));
    clock.advance(1000);
    receive(incomingRequest('INVITE'));
    expect(transport.times(transport.responses(200))).toEqual([0]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.transaction.state).toBe('accepted');
  });

  it('carries the TU’s 2xx retransmissions, and even after Timer L', () => {
    const { server, receive, transport, clock } = setup();
    receive(incomingRequest('INVITE'));
    const { transaction } = server.requests[0]!;
    respond(transaction, 200);
    clock.advance(500);
    respond(transaction, 200);
    clock.advance(31_500);
    expect(transaction.state).toBe('terminated');
    respond(transaction, 200);
    respond(transaction, 486);
    expect(transport.times(transport.responses(200))).toEqual([0, 500, 32_000]);
    expect(transport.responses(486)).toEqual([]);
  });

  it('hands the ACK for the 2xx (a new branch) to the TU with no transaction', () => {
    const { server, receive } = setup();
    server.answer = (_request, transaction) => respond(transaction, 200);
    receive(incomingRequest('INVITE'));
    receive(ackFor({ branch: 'z9hG4bKack2xx' }));
    const { ack, transaction } = only(server.acks);
    expect(ack.method).toBe('ACK');
    expect(transaction).toBeUndefined();
  });

  it('hands the TU an ACK that matches the Accepted transaction (RFC 6026)', () => {
    const { server, receive } = setup();
    server.answer = (_request, transaction) => respond(transaction, 200);
    receive(incomingRequest('INVITE'));
    receive(ackFor());
    expect(only(server.acks).transaction).toBe(server.requests[0]!.transaction);
  });

  it('terminates on Timer L at 64*T1', () => {
    const { server, receive, clock, layer } = setup();
    server.answer = (_request, transaction) => respond(transaction, 200);
    receive(incomingRequest('INVITE'));
    clock.advance(31_999);
    expect(layer.activeTransactions().server).toBe(1);
    clock.advance(1);
    expect(layer.activeTransactions().server).toBe(0);
    receive(incomingRequest('INVITE'));
    expect(server.requests).toHaveLength(2);
  });

  it('tells the TU when its 2xx cannot be sent', async () => {
    const { server, receive, transport } = setup();
    transport.failure = 'reject';
    server.answer = (_request, transaction) => respond(transaction, 200);
    receive(incomingRequest('INVITE'));
    await settle();
    expect(server.transportErrors).toHaveLength(1);
    expect(server.requests[0]!.transaction.state).toBe('accepted');
  });
});

describe('TransactionLayer: CANCEL (RFC 3261 §9.2)', () => {
  it('matches the pending INVITE, tells the TU, and answers 200 with the To tag of the TU’s 487', () => {
    const { server, receive, transport } = setup();
    server.onCancelAnswer = (_cancel, invite) => respond(invite, 487, 'uas-tag');
    receive(incomingRequest('INVITE'));
    receive(incomingRequest('CANCEL'));
    const { cancel, invite } = only(server.cancels);
    expect(cancel.method).toBe('CANCEL');
    expect(invite).toBe(server.requests[0]!.transaction);
    expect(server.requests).toHaveLength(1);
    const ok = parse(only(transport.responses(200)).text) as SipResponse;
    expect(ok.cseq.method).toBe('CANCEL');
    expect(ok.to.tag).toBe('uas-tag');
    expect((parse(only(transport.responses(487)).text) as SipResponse).to.tag).toBe('uas-tag');
    receive(ackFor({ toTag: 'uas-tag' }));
    expect(invite.state).toBe('confirmed');
  });

  it('answers 200 with a tag of its own when the TU has not answered the INVITE yet', () => {
    const { server, receive, transport } = setup();
    receive(incomingRequest('INVITE'));
    receive(incomingRequest('CANCEL'));
    expect(server.cancels).toHaveLength(1);
    const ok = parse(only(transport.responses(200)).text) as SipResponse;
    expect(ok.to.tag).toMatch(/^[0-9a-z]{10}$/);
  });

  it('answers 481 to a CANCEL that matches no transaction', () => {
    const { server, receive, transport } = setup();
    receive(incomingRequest('CANCEL'));
    expect(server.cancels).toEqual([]);
    expect(server.requests).toEqual([]);
    expect(statusesOf(transport.responses())).toEqual([481]);
  });

  it('does not match an INVITE from another sent-by', () => {
    const { server, receive, transport } = setup();
    receive(incomingRequest('INVITE', { sentBy: '198.51.100.8:5060' }));
    receive(incomingRequest('CANCEL'));
    expect(server.cancels).toEqual([]);
    expect(statusesOf(transport.responses(481))).toEqual([481]);
  });

  it('answers 200 but does not bother the TU once the INVITE has its final response', () => {
    const { server, receive, transport } = setup();
    server.answer = (_request, transaction) => respond(transaction, 486);
    receive(incomingRequest('INVITE'));
    receive(incomingRequest('CANCEL'));
    expect(server.cancels).toEqual([]);
    expect(statusesOf(transport.responses())).toEqual([486, 200]);
  });

  it('answers CANCEL retransmissions from its own transaction and tells the TU once', () => {
    const { server, receive, transport, clock } = setup();
    receive(incomingRequest('INVITE'));
    receive(incomingRequest('CANCEL'));
    clock.advance(100);
    receive(incomingRequest('CANCEL'));
    expect(server.cancels).toHaveLength(1);
    expect(transport.times(transport.responses(200))).toEqual([0, 100]);
  });

  it('matches a branch-less CANCEL to a branch-less INVITE (RFC 2543)', () => {
    const { server, receive } = setup();
    receive(incomingRequest('INVITE', { branch: null }));
    receive(incomingRequest('CANCEL', { branch: null }));
    expect(server.cancels).toHaveLength(1);
  });
});

describe('TransactionLayer: RFC 2543 peers (no z9hG4bK branch)', () => {
  it('matches INVITE retransmissions without a branch', () => {
    const { server, receive, transport } = setup();
    server.answer = (_request, transaction) => respond(transaction, 180);
    receive(incomingRequest('INVITE', { branch: null }));
    receive(incomingRequest('INVITE', { branch: null }));
    expect(server.requests).toHaveLength(1);
    expect(statusesOf(transport.responses())).toEqual([180, 180]);
  });

  it('matches the ACK for our non-2xx by its To tag and stops retransmitting', () => {
    const { server, receive, transport, clock } = setup();
    server.answer = (_request, transaction) => respond(transaction, 486, 'ours');
    receive(incomingRequest('INVITE', { branch: null }));
    receive(ackFor({ branch: null, toTag: 'ours' }));
    clock.advance(10_000);
    expect(server.requests[0]!.transaction.state).toBe('terminated');
    expect(transport.times(transport.responses(486))).toEqual([0]);
    expect(server.acks).toEqual([]);
  });

  it('does not take an ACK with another To tag for the transaction’s', () => {
    const { server, receive } = setup();
    server.answer = (_request, transaction) => respond(transaction, 486, 'ours');
    receive(incomingRequest('INVITE', { branch: null }));
    receive(ackFor({ branch: null, toTag: 'someone-else' }));
    expect(server.requests[0]!.transaction.state).toBe('completed');
    expect(server.acks).toHaveLength(1);
  });

  it('matches a cookie-less branch the same way', () => {
    const { server, receive } = setup();
    server.answer = (_request, transaction) => respond(transaction, 404, 'ours');
    receive(incomingRequest('INVITE', { branch: '1a2b3c' }));
    receive(ackFor({ branch: '1a2b3c', toTag: 'ours' }));
    expect(server.requests[0]!.transaction.state).toBe('confirmed');
  });

  it('passes the ACK for a 2xx to the TU with the Accepted transaction', () => {
    const { server, receive } = setup();
    server.answer = (_request, transaction) => respond(transaction, 200, 'ours');
    receive(incomingRequest('INVITE', { branch: null }));
    receive(ackFor({ branch: null, toTag: 'ours' }));
    expect(only(server.acks).transaction).toBe(server.requests[0]!.transaction);
  });

  it('keeps non-INVITE transactions with different CSeq numbers apart', () => {
    const { server, receive } = setup();
    receive(incomingRequest('MESSAGE', { branch: null, cseq: 1 }));
    receive(incomingRequest('MESSAGE', { branch: null, cseq: 2 }));
    expect(server.requests).toHaveLength(2);
  });
});

describe('TransactionLayer: ACKs without a transaction', () => {
  it('hands an ACK that matches nothing to the TU', () => {
    const { server, receive } = setup();
    receive(ackFor({ branch: 'z9hG4bKlonely' }));
    expect(server.acks).toHaveLength(1);
  });

  it('never creates a server transaction for an ACK', () => {
    const { receive, layer, transport } = setup();
    receive(ackFor());
    expect(layer.activeTransactions().server).toBe(0);
    expect(transport.sent).toEqual([]);
  });
});
