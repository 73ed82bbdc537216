import { describe, expect, it } from 'vitest';
import { createResponse } from '../../../../main/sip/message/builders';
import type { SipResponse } from '../../../../main/sip/message/message';
import { MalformedHeaderError } from '../../../../main/sip/message/result';
import type { ClientTransactionUser } from '../../../../main/sip/transaction/client-transaction';
import type { TransactionUserFailure } from '../../../../main/sip/transaction/transaction-user-failure';
import {
  RecordingClientUser,
  UDP_PEER,
  incomingRequest,
  outgoingRequest,
  parse,
  responseTo,
  setup,
  wireRequest,
} from './harness';

function failuresOf(layer: ReturnType<typeof setup>['layer']): TransactionUserFailure[] {
  const failures: TransactionUserFailure[] = [];
  layer.onUserFailure((failure) => failures.push(failure));
  return failures;
}

const sentStatus = (text: string): number => (parse(text) as SipResponse).status;

describe('TransactionLayer: a server TU that throws', () => {
  it('answers 400 with the reason when the TU met a malformed header, and releases the transaction', () => {
    const { layer, server, receive, transport, clock } = setup();
    server.answer = () => {
      throw new MalformedHeaderError('From', 'port out of range');
    };
    receive(incomingRequest('OPTIONS'));
    const [sent] = transport.responses();
    expect(sent && sentStatus(sent.text)).toBe(400);
    expect(sent!.text).toMatch(/^SIP\/2\.0 400 Bad Request \(malformed From header: port out of range\)\r\n/);
    expect(server.requests[0]!.transaction.state).toBe('completed');
    clock.advance(64 * 500);
    expect(layer.activeTransactions().server).toBe(0);
  });

  it('keeps control characters of the reason off the wire', () => {
    const { server, receive, transport } = setup();
    server.answer = () => {
      throw new MalformedHeaderError('From', 'bad\r\nX-Injected: 1\u0000');
    };
    receive(incomingRequest('OPTIONS'));
    const text = transport.responses()[0]!.text;
    expect(text).not.toMatch(/^X-Injected/m);
    expect(text.split('\r\n')[0]).toBe(
      'SIP/2.0 400 Bad Request (malformed From header: bad  X-Injected: 1 )',
    );
  });

  it('answers 500 for any other error', () => {
    const { server, receive, transport } = setup();
    server.answer = () => {
      throw new Error('bug');
    };
    receive(incomingRequest('MESSAGE'));
    expect(transport.responses().map((r) => sentStatus(r.text))).toEqual([500]);
  });

  it('ends an INVITE server transaction too, after a provisional the TU had sent', () => {
    const { layer, server, receive, transport, clock } = setup();
    server.answer = (_request, transaction) => {
      transaction.respond(createResponse(transaction.request, 180, { toTag: 'a' }));
      throw new Error('bug after ringing');
    };
    receive(incomingRequest('INVITE'));
    expect(transport.responses().map((r) => sentStatus(r.text))).toEqual([180, 500]);
    receive(incomingRequest('ACK', { cseqMethod: 'ACK', toTag: 'a' }));
    clock.runUntilIdle();
    expect(layer.activeTransactions().server).toBe(0);
  });

  it('sends nothing more when the TU had already answered before it threw', () => {
    const { server, receive, transport } = setup();
    server.answer = (_request, transaction) => {
      transaction.respond(createResponse(transaction.request, 200, { toTag: 'a' }));
      throw new Error('bug after answering');
    };
    receive(incomingRequest('OPTIONS'));
    expect(transport.responses().map((r) => sentStatus(r.text))).toEqual([200]);
  });

  it('answers on TCP and the transaction ends at once', () => {
    const { layer, server, receive, transport } = setup();
    server.answer = () => {
      throw new Error('bug');
    };
    receive(incomingRequest('OPTIONS'), 'tcp');
    expect(transport.responses()).toHaveLength(1);
    expect(layer.activeTransactions().server).toBe(0);
  });

  it('ends the INVITE a CANCEL was for when onCancel throws', () => {
    const { server, receive, transport } = setup();
    server.onCancelAnswer = () => {
      throw new Error('bug in cancel');
    };
    receive(incomingRequest('INVITE'));
    receive(incomingRequest('CANCEL'));
    const statuses = transport.responses().map((r) => `${sentStatus(r.text)} ${parse(r.text).cseq.method}`);
    expect(statuses).toEqual(['500 INVITE', '200 CANCEL']);
  });

  it('reports each failure to the layer’s owner with the status it answered', () => {
    const { layer, server, receive } = setup();
    const failures = failuresOf(layer);
    const error = new MalformedHeaderError('To', 'bad');
    server.answer = () => {
      throw error;
    };
    receive(incomingRequest('OPTIONS'));
    expect(failures).toHaveLength(1);
    const [failure] = failures;
    expect(failure).toMatchObject({ side: 'server', callback: 'onRequest', error, answered: 400 });
    expect(failure?.side === 'server' && failure.transaction?.method).toBe('OPTIONS');
  });

  it('survives an owner’s failure handler that throws too', () => {
    const { layer, server, receive, transport, logs } = setup();
    layer.onUserFailure(() => {
      throw new Error('owner bug');
    });
    server.answer = () => {
      throw new Error('bug');
    };
    receive(incomingRequest('OPTIONS'));
    expect(transport.responses().map((r) => sentStatus(r.text))).toEqual([500]);
    expect(logs.some((line) => line.includes('user failure handler threw'))).toBe(true);
  });

  it('keeps the log to a few lines however many requests make the TU throw', () => {
    const { server, receive, logs, transport } = setup();
    server.answer = () => {
      throw new Error('bug');
    };
    for (let i = 0; i < 500; i++) receive(incomingRequest('OPTIONS', { branch: `z9hG4bKflood${i}` }));
    expect(transport.responses(500)).toHaveLength(500);
    expect(logs.filter((line) => line.startsWith('error')).length).toBeLessThanOrEqual(10);
  });

  it('creates no transaction when there is no TU to take the request', () => {
    const { layer, receive } = setup();
    layer.setUser(undefined);
    receive(incomingRequest('OPTIONS'));
    expect(layer.activeTransactions().server).toBe(0);
  });
});

class ThrowingClientUser extends RecordingClientUser {
  constructor(private readonly throwIn: ReadonlySet<keyof ClientTransactionUser>) {
    super();
  }

  override onProvisional(response: SipResponse): void {
    super.onProvisional(response);
    if (this.throwIn.has('onProvisional')) throw new Error('provisional bug');
  }

  override onFinal(response: SipResponse): void {
    super.onFinal(response);
    if (this.throwIn.has('onFinal')) throw new MalformedHeaderError('Contact', 'bad');
  }

  override onTerminated(): void {
    super.onTerminated();
    if (this.throwIn.has('onTerminated')) throw new Error('terminated bug');
  }
}

describe('TransactionLayer: a client TU that throws', () => {
  it('still terminates the transaction and reports the error to the owner', () => {
    const { layer, transport, clock, receive } = setup();
    const failures = failuresOf(layer);
    const user = new ThrowingClientUser(new Set(['onFinal']));
    const transaction = layer.sendRequest(outgoingRequest('REGISTER'), UDP_PEER, user);
    receive(responseTo(wireRequest(transport, 'REGISTER'), 200));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ side: 'client', callback: 'onFinal', transaction, user });
    expect(failures[0]!.error).toBeInstanceOf(MalformedHeaderError);
    clock.runUntilIdle();
    expect(transaction.state).toBe('terminated');
    expect(user.terminated).toBe(true);
    expect(layer.activeTransactions().client).toBe(0);
  });

  it('still sends a deferred CANCEL when onProvisional throws', () => {
    const { layer, transport, receive } = setup();
    const user = new ThrowingClientUser(new Set(['onProvisional']));
    const invite = layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, user);
    const cancelUser = new RecordingClientUser();
    expect(invite.cancel(cancelUser)).toBe('deferred');
    receive(responseTo(wireRequest(transport, 'INVITE'), 180));
    expect(transport.requests('CANCEL')).toHaveLength(1);
  });

  it('tells the CANCEL’s user and the owner even when the INVITE’s onTerminated throws', () => {
    const { layer, transport, receive, clock } = setup({ timers: { timerD: 0 } });
    const failures = failuresOf(layer);
    const user = new ThrowingClientUser(new Set(['onTerminated']));
    const invite = layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, user);
    const cancelUser = new RecordingClientUser();
    invite.cancel(cancelUser);
    receive(responseTo(wireRequest(transport, 'INVITE'), 486));
    clock.runUntilIdle();
    expect(cancelUser.terminated).toBe(true);
    expect(failures.map((f) => f.callback)).toEqual(['onTerminated']);
    expect(layer.activeTransactions().client).toBe(0);
  });

  it('terminates on a timeout whose 408 the TU cannot take', () => {
    const { layer, clock } = setup();
    const user = new ThrowingClientUser(new Set(['onFinal']));
    layer.sendRequest(outgoingRequest('OPTIONS'), UDP_PEER, user);
    clock.runUntilIdle();
    expect(user.finals.map((r) => r.status)).toEqual([408]);
    expect(layer.activeTransactions().client).toBe(0);
  });
});
