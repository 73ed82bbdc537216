import { describe, expect, it } from 'vitest';
import { createResponse } from '../../../../main/sip/message/builders';
import type { SipResponse } from '../../../../main/sip/message/message';
import { isSynthesizedResponse } from '../../../../main/sip/transaction/client-transaction';
import {
  RecordingClientUser,
  TCP_PEER,
  UDP_PEER,
  incomingRequest,
  outgoingRequest,
  overTheWire,
  parse,
  responseTo,
  settle,
  setup,
  wireRequest,
} from './harness';

function statuses(responses: readonly SipResponse[]): number[] {
  return responses.map((r) => r.status);
}

describe('TransactionLayer: sending requests', () => {
  it('adds one top Via with a fresh z9hG4bK branch, the transport’s sent-by and rport', () => {
    const { layer, transport } = setup();
    const request = outgoingRequest('OPTIONS');
    const transaction = layer.sendRequest(request, UDP_PEER, new RecordingClientUser());
    const via = wireRequest(transport, 'OPTIONS').via;
    expect(via).toHaveLength(1);
    expect(via[0]).toMatchObject({ transport: 'UDP', host: '192.0.2.1', port: 5060, rport: true });
    expect(via[0]?.branch).toMatch(/^z9hG4bK[0-9a-z]{16}$/);
    expect(transaction.branch).toBe(via[0]?.branch);
    expect(transaction.request).toBe(request);
    expect(transaction.kind).toBe('client-non-invite');
    expect(transaction.destination).toEqual(UDP_PEER);
  });

  it('writes TCP in the Via for a TCP destination', () => {
    const { layer, transport } = setup();
    layer.sendRequest(outgoingRequest('OPTIONS'), TCP_PEER, new RecordingClientUser());
    expect(wireRequest(transport, 'OPTIONS').topVia?.transport).toBe('TCP');
  });

  it('brackets an IPv6 sent-by', () => {
    const { layer, transport } = setup({ local: { address: '::1', port: 5070 } });
    layer.sendRequest(outgoingRequest('OPTIONS'), UDP_PEER, new RecordingClientUser());
    expect(wireRequest(transport, 'OPTIONS').topVia).toMatchObject({ host: '[::1]', port: 5070 });
  });

  it('replaces any Via the request already had and uses a new branch each time', () => {
    const { layer, transport } = setup();
    const request = outgoingRequest('REGISTER');
    request.addHeader('Via', 'SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKold');
    layer.sendRequest(request, UDP_PEER, new RecordingClientUser());
    layer.sendRequest(outgoingRequest('REGISTER', { cseq: 2 }), UDP_PEER, new RecordingClientUser());
    const first = wireRequest(transport, 'REGISTER', 0);
    const second = wireRequest(transport, 'REGISTER', 1);
    expect(first.via).toHaveLength(1);
    expect(first.topVia?.branch).not.toBe('z9hG4bKold');
    expect(second.topVia?.branch).not.toBe(first.topVia?.branch);
  });

  it('refuses to send an ACK in a transaction', () => {
    const { layer } = setup();
    expect(() => layer.sendRequest(outgoingRequest('ACK'), UDP_PEER, new RecordingClientUser())).toThrow(
      TypeError,
    );
  });

  it('sends an ACK for a 2xx outside any transaction, keeping its Via when sent again', async () => {
    const { layer, transport } = setup();
    const ack = outgoingRequest('ACK');
    await expect(layer.sendAck(ack, UDP_PEER)).resolves.toEqual(UDP_PEER);
    await layer.sendAck(ack, UDP_PEER);
    const [first, second] = transport.requests('ACK');
    expect(first?.text).toBe(second?.text);
    expect(parse(first!.text).topVia?.branch).toMatch(/^z9hG4bK/);
    expect(layer.activeTransactions()).toEqual({ client: 0, server: 0 });
  });
});

describe('TransactionLayer: INVITE client transaction timers', () => {
  it('retransmits on Timer A at 0, 500, 1500, 3500 ... and reports 408 when Timer B fires at 32 s', () => {
    const { layer, transport, clock } = setup();
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, user);
    clock.advance(31_999);
    expect(transport.times(transport.requests('INVITE'))).toEqual([0, 500, 1500, 3500, 7500, 15500, 31500]);
    expect(user.finals).toEqual([]);
    clock.advance(1);
    expect(statuses(user.finals)).toEqual([408]);
    expect(isSynthesizedResponse(user.finals[0]!)).toBe(true);
    expect(user.finals[0]!.callId).toBe('call-1@192.0.2.1');
    expect(user.terminated).toBe(true);
    expect(layer.activeTransactions().client).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('follows a configured T1', () => {
    const { layer, transport, clock } = setup({ timers: { t1: 100 } });
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, user);
    clock.advance(6400);
    expect(transport.times(transport.requests('INVITE'))).toEqual([0, 100, 300, 700, 1500, 3100, 6300]);
    expect(statuses(user.finals)).toEqual([408]);
  });

  it('stops retransmitting and never times out once a provisional arrives', () => {
    const { layer, transport, clock, receive } = setup();
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, user);
    clock.advance(600);
    receive(responseTo(wireRequest(transport, 'INVITE'), 180));
    clock.advance(120_000);
    expect(transport.times(transport.requests('INVITE'))).toEqual([0, 500]);
    expect(statuses(user.provisional)).toEqual([180]);
    expect(user.finals).toEqual([]);
  });

  it('does not retransmit over TCP, yet still times out on Timer B', () => {
    const { layer, transport, clock } = setup();
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('INVITE'), TCP_PEER, user);
    clock.advance(32_000);
    expect(transport.times(transport.requests('INVITE'))).toEqual([0]);
    expect(statuses(user.finals)).toEqual([408]);
  });

  it('ACKs a non-2xx and absorbs its retransmissions for Timer D, re-ACKing each', () => {
    const { layer, transport, clock, receive } = setup();
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, user);
    const invite = wireRequest(transport, 'INVITE');
    clock.advance(100);
    const busy = responseTo(invite, 486);
    receive(busy);
    clock.advance(900);
    receive(responseTo(invite, 486));
    clock.advance(2000);
    receive(responseTo(invite, 486));
    expect(transport.times(transport.requests('ACK'))).toEqual([100, 1000, 3000]);
    expect(transport.times(transport.requests('INVITE'))).toEqual([0]);
    expect(statuses(user.finals)).toEqual([486]);
    const ack = wireRequest(transport, 'ACK');
    expect(ack.topVia?.branch).toBe(invite.topVia?.branch);
    expect(ack.to.tag).toBe('bobtag');
    clock.advance(100 + 32_000 - 3000 - 1);
    expect(user.terminated).toBe(false);
    clock.advance(1);
    expect(user.terminated).toBe(true);
    receive(responseTo(invite, 486));
    expect(transport.requests('ACK')).toHaveLength(3);
  });

  it('ends at once after the ACK over TCP (Timer D is zero)', () => {
    const { layer, transport, receive } = setup();
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('INVITE'), TCP_PEER, user);
    receive(responseTo(wireRequest(transport, 'INVITE'), 486), 'tcp');
    expect(transport.requests('ACK')).toHaveLength(1);
    expect(user.events).toEqual(['486', 'terminated']);
    expect(layer.activeTransactions().client).toBe(0);
  });

  it('passes every 2xx to the TU while Accepted, forks included, until Timer M (RFC 6026)', () => {
    const { layer, transport, clock, receive, server } = setup();
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, user);
    const invite = wireRequest(transport, 'INVITE');
    clock.advance(100);
    receive(responseTo(invite, 200, 'b1'));
    clock.advance(500);
    receive(responseTo(invite, 200, 'b1'));
    receive(responseTo(invite, 200, 'b2'));
    expect(user.finals.map((r) => r.to.tag)).toEqual(['b1', 'b1', 'b2']);
    expect(transport.requests('ACK')).toEqual([]);
    clock.advance(32_000 - 500 - 1);
    expect(user.terminated).toBe(false);
    clock.advance(1);
    expect(user.terminated).toBe(true);
    receive(responseTo(invite, 200, 'b1'));
    expect(user.finals).toHaveLength(3);
    expect(statuses(server.stray2xx)).toEqual([200]);
  });
});

describe('TransactionLayer: non-INVITE client transaction timers', () => {
  it('retransmits on Timer E at 500, 1000, 2000, then every 4000 ms, and reports 408 on Timer F', () => {
    const { layer, transport, clock } = setup();
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('OPTIONS'), UDP_PEER, user);
    clock.advance(31_999);
    expect(transport.times(transport.requests('OPTIONS'))).toEqual([
      0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500,
    ]);
    expect(user.finals).toEqual([]);
    clock.advance(1);
    expect(statuses(user.finals)).toEqual([408]);
    expect(isSynthesizedResponse(user.finals[0]!)).toBe(true);
    expect(user.events).toEqual(['408', 'terminated']);
  });

  it('keeps retransmitting at T2 once a provisional arrives', () => {
    const { layer, transport, clock, receive } = setup();
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('REGISTER'), UDP_PEER, user);
    clock.advance(600);
    receive(responseTo(wireRequest(transport, 'REGISTER'), 100));
    clock.advance(31_399);
    expect(transport.times(transport.requests('REGISTER'))).toEqual([
      0, 500, 1500, 5500, 9500, 13500, 17500, 21500, 25500, 29500,
    ]);
    clock.advance(1);
    expect(statuses(user.provisional)).toEqual([100]);
    expect(statuses(user.finals)).toEqual([408]);
  });

  it('sends once over TCP and still times out on Timer F', () => {
    const { layer, transport, clock } = setup();
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('OPTIONS'), TCP_PEER, user);
    clock.advance(32_000);
    expect(transport.times(transport.requests('OPTIONS'))).toEqual([0]);
    expect(statuses(user.finals)).toEqual([408]);
  });

  it('absorbs retransmitted finals for Timer K (T4) and stops retransmitting', () => {
    const { layer, transport, clock, receive } = setup();
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('OPTIONS'), UDP_PEER, user);
    const options = wireRequest(transport, 'OPTIONS');
    clock.advance(700);
    receive(responseTo(options, 200));
    receive(responseTo(options, 200));
    clock.advance(4999);
    receive(responseTo(options, 200));
    expect(statuses(user.finals)).toEqual([200]);
    expect(user.terminated).toBe(false);
    expect(transport.times(transport.requests('OPTIONS'))).toEqual([0, 500]);
    clock.advance(1);
    expect(user.terminated).toBe(true);
  });

  it('ends at once after a final over TCP (Timer K is zero)', () => {
    const { layer, transport, receive } = setup();
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('OPTIONS'), TCP_PEER, user);
    receive(responseTo(wireRequest(transport, 'OPTIONS'), 200), 'tcp');
    expect(user.events).toEqual(['200', 'terminated']);
    expect(layer.activeTransactions().client).toBe(0);
  });

  it('reports each state change', () => {
    const { layer, transport, clock, receive, changes } = setup();
    const transaction = layer.sendRequest(outgoingRequest('OPTIONS'), UDP_PEER, new RecordingClientUser());
    const options = wireRequest(transport, 'OPTIONS');
    receive(responseTo(options, 100));
    receive(responseTo(options, 200));
    clock.advance(5000);
    expect(changes.map((c) => `${c.from}>${c.to}`)).toEqual([
      'initial>trying',
      'trying>proceeding',
      'proceeding>completed',
      'completed>terminated',
    ]);
    expect(new Set(changes.map((c) => c.id))).toEqual(new Set([transaction.id]));
    expect(transaction.state).toBe('terminated');
  });
});

describe('TransactionLayer: client transport errors', () => {
  it('turns a rejected send into a 503 for the TU', async () => {
    const { layer, transport } = setup();
    transport.failure = 'reject';
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, user);
    await settle();
    expect(statuses(user.finals)).toEqual([503]);
    expect(isSynthesizedResponse(user.finals[0]!)).toBe(true);
    expect(user.terminated).toBe(true);
    expect(layer.activeTransactions().client).toBe(0);
  });

  it('turns a send that throws into a 503 for the TU', () => {
    const { layer, transport, clock } = setup();
    transport.failure = 'throw';
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('OPTIONS'), UDP_PEER, user);
    expect(user.events).toEqual(['503', 'terminated']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('reports a failed retransmission as a 503', async () => {
    const { layer, transport, clock } = setup();
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('OPTIONS'), UDP_PEER, user);
    transport.failure = 'reject';
    clock.advance(500);
    await settle();
    expect(statuses(user.finals)).toEqual([503]);
  });

  it('does not report a failed ACK after the final response was delivered', async () => {
    const { layer, transport, receive } = setup();
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, user);
    transport.failure = 'reject';
    receive(responseTo(wireRequest(transport, 'INVITE'), 486));
    await settle();
    expect(user.events).toEqual(['486', 'terminated']);
  });
});

describe('TransactionLayer: stray responses', () => {
  it('hands a 2xx to an INVITE without a transaction to the TU core', () => {
    const { server, receive } = setup();
    const invite = incomingRequest('INVITE', { branch: 'z9hG4bKgone' });
    receive(overTheWire(createResponse(invite, 200, { toTag: 'x' })));
    expect(statuses(server.stray2xx)).toEqual([200]);
  });

  it('drops other stray responses', () => {
    const { server, receive, logs } = setup();
    receive(overTheWire(createResponse(incomingRequest('INVITE'), 486, { toTag: 'x' })));
    receive(overTheWire(createResponse(incomingRequest('OPTIONS'), 200, { toTag: 'x' })));
    expect(server.stray2xx).toEqual([]);
    expect(logs.filter((l) => l.includes('stray response dropped'))).toHaveLength(2);
  });

  it('does not match a response whose CSeq method differs from the transaction’s', () => {
    const { layer, transport, receive } = setup();
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, user);
    const invite = wireRequest(transport, 'INVITE');
    const wrong = responseTo(invite, 200);
    wrong.setHeader('CSeq', '1 CANCEL');
    receive(wrong);
    expect(user.finals).toEqual([]);
  });
});

describe('TransactionLayer: cancelling a client INVITE (RFC 3261 §9.1)', () => {
  it('sends the CANCEL at once in Proceeding, with the INVITE’s Via and its own transaction', () => {
    const { layer, transport, receive } = setup();
    const inviteUser = new RecordingClientUser();
    const transaction = layer.sendRequest(outgoingRequest('INVITE', { cseq: 5 }), UDP_PEER, inviteUser);
    const invite = wireRequest(transport, 'INVITE');
    receive(responseTo(invite, 180));
    const cancelUser = new RecordingClientUser();
    expect(transaction.cancel(cancelUser)).toBe('sent');
    const cancel = wireRequest(transport, 'CANCEL');
    expect(cancel.headerValues('via')).toEqual(invite.headerValues('via'));
    expect(cancel.cseq).toEqual({ seq: 5, method: 'CANCEL' });
    expect(layer.activeTransactions().client).toBe(2);
    receive(responseTo(cancel, 200));
    receive(responseTo(invite, 487));
    expect(statuses(cancelUser.finals)).toEqual([200]);
    expect(statuses(inviteUser.finals)).toEqual([487]);
    expect(transport.requests('ACK')).toHaveLength(1);
  });

  it('defers the CANCEL until the first provisional response', () => {
    const { layer, transport, receive } = setup();
    const transaction = layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, new RecordingClientUser());
    expect(transaction.cancel(new RecordingClientUser())).toBe('deferred');
    expect(transport.requests('CANCEL')).toEqual([]);
    receive(responseTo(wireRequest(transport, 'INVITE'), 100));
    expect(transport.requests('CANCEL')).toHaveLength(1);
  });

  it('never sends a deferred CANCEL when a final response comes first', () => {
    const { layer, transport, receive } = setup();
    const transaction = layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, new RecordingClientUser());
    const cancelUser = new RecordingClientUser();
    transaction.cancel(cancelUser);
    receive(responseTo(wireRequest(transport, 'INVITE'), 486));
    expect(transport.requests('CANCEL')).toEqual([]);
    expect(cancelUser.events).toEqual(['terminated']);
  });

  it('retransmits the CANCEL like any non-INVITE request', () => {
    const { layer, transport, receive, clock } = setup();
    const transaction = layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, new RecordingClientUser());
    receive(responseTo(wireRequest(transport, 'INVITE'), 180));
    clock.advance(1000);
    transaction.cancel(new RecordingClientUser());
    clock.advance(1500);
    expect(transport.times(transport.requests('CANCEL'))).toEqual([1000, 1500, 2500]);
  });

  it('accepts a cancel from inside the TU’s onProvisional callback', () => {
    const { layer, transport, receive } = setup();
    const cancelUser = new RecordingClientUser();
    const user = new RecordingClientUser();
    const transaction = layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, {
      onProvisional: () => {
        expect(transaction.cancel(cancelUser)).toBe('sent');
      },
      onFinal: (response) => user.onFinal(response),
    });
    receive(responseTo(wireRequest(transport, 'INVITE'), 180));
    expect(transport.requests('CANCEL')).toHaveLength(1);
    expect(transaction.state).toBe('proceeding');
  });

  it('refuses to cancel twice, after a final response, or a non-INVITE', () => {
    const { layer, transport, receive } = setup();
    const invite = layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, new RecordingClientUser());
    receive(responseTo(wireRequest(transport, 'INVITE'), 180));
    expect(invite.cancel(new RecordingClientUser())).toBe('sent');
    expect(invite.cancel(new RecordingClientUser())).toBe('not-cancellable');
    const other = layer.sendRequest(
      outgoingRequest('INVITE', { callId: 'c2' }),
      UDP_PEER,
      new RecordingClientUser(),
    );
    receive(responseTo(wireRequest(transport, 'INVITE', 1), 200));
    expect(other.cancel(new RecordingClientUser())).toBe('not-cancellable');
    const options = layer.sendRequest(outgoingRequest('OPTIONS'), UDP_PEER, new RecordingClientUser());
    expect(options.cancel(new RecordingClientUser())).toBe('not-cancellable');
  });
});

describe('TransactionLayer: a misbehaving TU', () => {
  it('keeps going when a client TU callback throws', () => {
    const { layer, transport, receive, clock, logs } = setup();
    let terminated = false;
    layer.sendRequest(outgoingRequest('OPTIONS'), UDP_PEER, {
      onFinal: () => {
        throw new Error('TU bug');
      },
      onTerminated: () => {
        terminated = true;
      },
    });
    receive(responseTo(wireRequest(transport, 'OPTIONS'), 200));
    clock.advance(5000);
    expect(terminated).toBe(true);
    expect(logs.some((l) => l.startsWith('error:'))).toBe(true);
  });

  it('keeps going when onRequest throws', () => {
    const { server, receive, layer } = setup();
    server.answer = () => {
      throw new Error('TU bug');
    };
    receive(incomingRequest('OPTIONS'));
    expect(layer.activeTransactions().server).toBe(1);
  });
});

describe('TransactionLayer: shutdown', () => {
  it('stops every timer and forgets every transaction', () => {
    const { layer, clock, receive } = setup();
    layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, new RecordingClientUser());
    layer.sendRequest(outgoingRequest('OPTIONS'), UDP_PEER, new RecordingClientUser());
    receive(incomingRequest('INVITE'));
    expect(clock.pendingTimers()).toBeGreaterThan(0);
    layer.shutdown();
    expect(clock.pendingTimers()).toBe(0);
    expect(layer.activeTransactions()).toEqual({ client: 0, server: 0 });
  });
});
