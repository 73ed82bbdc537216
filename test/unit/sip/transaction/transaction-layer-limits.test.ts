import { describe, expect, it } from 'vitest';
import { createResponse } from '../../../../main/sip/message/builders';
import type { SipResponse } from '../../../../main/sip/message/message';
import { incomingRequest, parse, setup } from './harness';

const statusOf = (text: string): number => (parse(text) as SipResponse).status;

describe('TransactionLayer: the cap on live server transactions', () => {
  it('answers 503 with Retry-After past the cap, without a transaction or the TU', () => {
    const { layer, server, receive, transport } = setup({ maxServerTransactions: 2, retryAfterSeconds: 7 });
    for (let i = 0; i < 3; i++) receive(incomingRequest('OPTIONS', { branch: `z9hG4bKcap${i}` }));
    expect(server.requests).toHaveLength(2);
    expect(layer.activeTransactions().server).toBe(2);
    const [refusal] = transport.responses(503);
    expect(refusal).toBeDefined();
    const response = parse(refusal!.text) as SipResponse;
    expect(response.header('retry-after')).toBe('7');
    expect(response.to.tag).toBeDefined();
    expect(response.topVia?.branch).toBe('z9hG4bKcap2');
  });

  it('keeps absorbing retransmissions of the transactions it has', () => {
    const { server, receive, transport } = setup({ maxServerTransactions: 1 });
    receive(incomingRequest('OPTIONS', { branch: 'z9hG4bKfirst' }));
    receive(incomingRequest('OPTIONS', { branch: 'z9hG4bKfirst' }));
    expect(server.requests).toHaveLength(1);
    expect(transport.responses()).toEqual([]);
  });

  it('takes new requests again once transactions end', () => {
    const { layer, server, receive, clock } = setup({ maxServerTransactions: 1 });
    server.answer = (_request, transaction) =>
      transaction.respond(createResponse(transaction.request, 200, { toTag: 't' }));
    receive(incomingRequest('OPTIONS', { branch: 'z9hG4bKone' }));
    receive(incomingRequest('OPTIONS', { branch: 'z9hG4bKtwo' }));
    expect(server.requests).toHaveLength(1);
    clock.advance(64 * 500);
    expect(layer.activeTransactions().server).toBe(0);
    receive(incomingRequest('OPTIONS', { branch: 'z9hG4bKthree' }));
    expect(server.requests).toHaveLength(2);
  });

  it('still passes ACKs for 2xx to the TU and lets a CANCEL reach its INVITE', () => {
    const { server, receive, transport } = setup({ maxServerTransactions: 1 });
    receive(incomingRequest('INVITE', { branch: 'z9hG4bKinv' }));
    receive(incomingRequest('ACK', { branch: 'z9hG4bKother', cseqMethod: 'ACK', toTag: 'x' }));
    receive(incomingRequest('CANCEL', { branch: 'z9hG4bKinv' }));
    expect(server.acks).toHaveLength(1);
    expect(server.cancels).toHaveLength(1);
    expect(transport.responses().map((r) => statusOf(r.text))).toEqual([200]);
  });

  it('refuses a CANCEL that matches nothing past the cap like any other request', () => {
    const { receive, transport } = setup({ maxServerTransactions: 1 });
    receive(incomingRequest('OPTIONS', { branch: 'z9hG4bKbusy' }));
    receive(incomingRequest('CANCEL', { branch: 'z9hG4bKnothing' }));
    expect(transport.responses().map((r) => statusOf(r.text))).toEqual([503]);
  });

  it('logs the refusals a few times, not once per request', () => {
    const { receive, logs } = setup({ maxServerTransactions: 1 });
    for (let i = 0; i < 200; i++) receive(incomingRequest('OPTIONS', { branch: `z9hG4bKl${i}` }));
    expect(logs.filter((line) => line.includes('limit')).length).toBeLessThanOrEqual(5);
  });

  it('has a default cap of 5,000', () => {
    const { layer, receive, transport } = setup();
    for (let i = 0; i < 5_001; i++) receive(incomingRequest('OPTIONS', { branch: `z9hG4bKd${i}` }));
    expect(layer.activeTransactions().server).toBe(5_000);
    expect(transport.responses(503)).toHaveLength(1);
  });
});

describe('TransactionLayer: a request its TU never answers', () => {
  it('releases the non-INVITE transaction once its client has given up (64*T1), and drops a late answer', () => {
    const { layer, server, receive, transport, clock, logs } = setup();
    receive(incomingRequest('MESSAGE'));
    clock.advance(64 * 500 - 1);
    expect(layer.activeTransactions().server).toBe(1);
    clock.advance(1);
    expect(layer.activeTransactions().server).toBe(0);
    expect(logs.some((line) => line.includes('never answered'))).toBe(true);
    const { transaction } = server.requests[0]!;
    expect(transaction.state).toBe('terminated');
    transaction.respond(createResponse(transaction.request, 200, { toTag: 'late' }));
    expect(transport.responses()).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('leaves an INVITE to its TU (a call may ring for minutes)', () => {
    const { layer, receive, clock } = setup({ timers: { tryingDelay: false } });
    receive(incomingRequest('INVITE'));
    clock.advance(10 * 64 * 500);
    expect(layer.activeTransactions().server).toBe(1);
  });

  it('leaves no timer behind for a transaction answered in time', () => {
    const { layer, server, receive, clock } = setup();
    server.answer = (_request, transaction) =>
      transaction.respond(createResponse(transaction.request, 200, { toTag: 't' }));
    receive(incomingRequest('OPTIONS'));
    receive(incomingRequest('OPTIONS', { branch: 'z9hG4bKtcp' }), 'tcp');
    clock.advance(64 * 500);
    expect(layer.activeTransactions().server).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('TransactionLayer: what a server transaction keeps', () => {
  it('keeps only the identifying headers of a non-INVITE request once it is answered', () => {
    const { server, receive, transport } = setup();
    server.answer = (request, transaction) =>
      transaction.respond(createResponse(request, 200, { toTag: 't' }));
    receive(incomingRequest('OPTIONS'));
    const { request, transaction } = server.requests[0]!;
    expect(transaction.request).not.toBe(request);
    expect(transaction.request.headers.map((f) => f.key)).toEqual(['via', 'from', 'to', 'call-id', 'cseq']);
    expect(transaction.request.requestUriText).toBe(request.requestUriText);
    receive(incomingRequest('OPTIONS'));
    expect(transport.responses(200)).toHaveLength(2);
  });

  it('still matches a retransmission from an RFC 2543 peer after the answer', () => {
    const { server, receive, transport } = setup();
    server.answer = (request, transaction) =>
      transaction.respond(createResponse(request, 200, { toTag: 't' }));
    receive(incomingRequest('OPTIONS', { branch: null }));
    receive(incomingRequest('OPTIONS', { branch: null }));
    expect(server.requests).toHaveLength(1);
    expect(transport.responses(200)).toHaveLength(2);
  });

  it('keeps the whole INVITE (the TU core may answer it again, §13.3.1.4)', () => {
    const { server, receive } = setup();
    server.answer = (request, transaction) =>
      transaction.respond(createResponse(request, 486, { toTag: 't' }));
    receive(incomingRequest('INVITE'));
    const { request, transaction } = server.requests[0]!;
    expect(transaction.request).toBe(request);
  });
});
