// The two-agent harness itself: both sides take calls, the network carries their SIP, and pass() runs timers in
// order with the promise chains between them.
import { afterEach, describe, expect, it } from 'vitest';
import { type UaPair, startUaPair } from '../../support/ua-pair';
import { textOf } from '../../support/loopback-network';

let pair: UaPair | undefined;
afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

describe('startUaPair', () => {
  it('gives two agents with calls installed that reach each other', async () => {
    pair = await startUaPair();
    const call = pair.alice.calls.dial(pair.bob.uri);
    await pair.settle();
    expect(pair.bob.incoming).toHaveLength(1);
    expect(call.state).toBe('early');
    const first = pair.network.trace.find((entry) => entry.text.startsWith('INVITE '));
    expect(first?.to).toEqual({ address: '10.0.0.2', port: 5060, family: 'IPv4' });
    expect(textOf(first!)).toContain('m=audio 40000 RTP/AVP');
  });

  it('pass() stops at every timer so retransmissions run in order', async () => {
    pair = await startUaPair();
    pair.network.setConditions({ drop: (packet) => textOf(packet).startsWith('INVITE ') });
    pair.alice.calls.dial(pair.bob.uri);
    await pair.pass(1_600);
    // Timer A: sent at 0, 500 and 1500 ms.
    const invites = pair.network.trace.filter((entry) => entry.text.startsWith('INVITE '));
    expect(invites.map((entry) => entry.sentAt)).toEqual([0, 500, 1500]);
  });
});
