import { describe, expect, it } from 'vitest';
import { isSynthesizedResponse } from '../../../../main/sip/transaction/client-transaction';
import {
  RecordingClientUser,
  TCP_PEER,
  UDP_PEER,
  outgoingRequest,
  responseTo,
  setup,
  wireRequest,
} from './harness';

describe('TransactionLayer: a destination found unreachable (ICMP)', () => {
  it('ends a non-INVITE transaction that heard nothing yet with a local 503, at once', () => {
    const { layer, transport, clock } = setup();
    const user = new RecordingClientUser();
    const transaction = layer.sendRequest(outgoingRequest('REGISTER'), UDP_PEER, user);
    clock.advance(3);
    transport.unreachable(UDP_PEER);
    expect(user.finals.map((r) => r.status)).toEqual([503]);
    expect(isSynthesizedResponse(user.finals[0]!)).toBe(true);
    expect(transaction.state).toBe('terminated');
    expect(layer.activeTransactions().client).toBe(0);
    expect(transport.requests('REGISTER')).toHaveLength(1);
  });

  it('ends an INVITE in Calling the same way', () => {
    const { layer, transport } = setup();
    const user = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, user);
    transport.unreachable(UDP_PEER);
    expect(user.finals.map((r) => r.status)).toEqual([503]);
  });

  it('leaves a transaction that already got a response from the destination alone', () => {
    const { layer, transport, receive } = setup();
    const user = new RecordingClientUser();
    const transaction = layer.sendRequest(outgoingRequest('INVITE'), UDP_PEER, user);
    receive(responseTo(wireRequest(transport, 'INVITE'), 180));
    transport.unreachable(UDP_PEER);
    expect(transaction.state).toBe('proceeding');
    expect(user.finals).toEqual([]);
  });

  it('leaves transactions to other destinations and over other transports alone', () => {
    const { layer, transport } = setup();
    const other = new RecordingClientUser();
    const tcp = new RecordingClientUser();
    layer.sendRequest(outgoingRequest('OPTIONS'), { ...UDP_PEER, port: 5070 }, other);
    layer.sendRequest(outgoingRequest('OPTIONS', { callId: 'tcp' }), TCP_PEER, tcp);
    transport.unreachable(UDP_PEER);
    expect([other.finals, tcp.finals]).toEqual([[], []]);
  });
});
