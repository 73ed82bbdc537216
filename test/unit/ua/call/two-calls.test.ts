// Two calls at once in one agent, end to end on the loopback network with three real agents: alice calls bob
// (call A) and carol calls alice (call B). Answering B holds A (call waiting); alice talks on B, swaps (resume A
// holds B), and finally joins bob and carol with an attended transfer: A is REFERred with Replaces naming B's dialog,
// bob's new INVITE replaces carol's call with alice, and both of alice's calls end.
import { afterEach, describe, expect, it } from 'vitest';
import type { Call, HoldState } from '../../../../main/ua/call/call';
import type { TransferEvent } from '../../../../main/ua/call/call-events';
import { UserAgent } from '../../../../main/ua/user-agent';
import { RecordingMedia } from '../../../support/recording-media';
import { SeededRandom } from '../../../support/seeded-random';
import { type UaPair, startUaPair } from '../../../support/ua-pair';

const CAROL_ADDRESS = '10.0.0.3';

let pair: UaPair | undefined;
let carol: UserAgent | undefined;
afterEach(async () => {
  carol?.transactions.shutdown();
  carol?.transport.close();
  carol = undefined;
  await pair?.close();
  pair = undefined;
});

/** What each end of a call sends and receives now, from its media port's last agreement. */
function flow(call: Call): { send: boolean; receive: boolean } {
  const media = call.media!;
  return { send: media.send, receive: media.receive };
}

describe('two calls at once in one agent', () => {
  it('hold one, talk on the other, swap, then transfer one to the other (REFER with Replaces)', async () => {
    pair = await startUaPair();
    const { alice, bob } = pair;
    const random = new SeededRandom(3);
    carol = await UserAgent.start({
      sockets: pair.network,
      clock: pair.clock,
      random,
      bindAddress: CAROL_ADDRESS,
      port: 5060,
      protocols: ['udp'],
    });
    const carolMedia = new RecordingMedia({ address: CAROL_ADDRESS, random });
    const carolCalls = carol.installCalls({ media: carolMedia.factory });

    // Call A: alice → bob, answered.
    const callA = alice.calls.dial(bob.uri);
    await pair.settle();
    const bobA = bob.incoming[0]!;
    bobA.answer();
    await pair.settle();
    expect(callA.state).toBe('connected');

    // Call B: carol → alice. Answering it holds A (call waiting), so only B talks.
    const carolB = carolCalls.dial(alice.uri);
    await pair.settle();
    const callB = alice.incoming[0]!;
    expect(alice.calls.calls).toHaveLength(2);
    callB.answer();
    await pair.settle();
    expect(callB.state).toBe('connected');
    expect(carolB.state).toBe('connected');
    expect(callA.hold).toEqual<HoldState>({ local: true, remote: false });
    expect(bobA.hold).toEqual<HoldState>({ local: false, remote: true });
    expect(flow(callA)).toEqual({ send: true, receive: false });
    expect(flow(callB)).toEqual({ send: true, receive: true });

    // Swap: resume A, which holds B.
    callB.holdCall();
    callA.resume();
    await pair.settle();
    expect(callA.hold).toEqual<HoldState>({ local: false, remote: false });
    expect(callB.hold).toEqual<HoldState>({ local: true, remote: false });
    expect(carolB.hold).toEqual<HoldState>({ local: false, remote: true });
    expect(flow(callA)).toEqual({ send: true, receive: true });
    expect(flow(bobA)).toEqual({ send: true, receive: true });
    expect(flow(callB)).toEqual({ send: true, receive: false });

    // Attended transfer: bob (A's far end) is asked to call carol, replacing carol's call with alice (B).
    const transfer: TransferEvent[] = [];
    callA.on('transfer', (event) => transfer.push(event));
    const replacedBy: Call[] = [];
    carolB.on('replaced', (call) => replacedBy.push(call));
    expect(callA.transferTo(callB)).toBe(true);
    await pair.settle();

    expect(replacedBy).toHaveLength(1);
    const carolNew = replacedBy[0]!;
    const bobNew = bob.calls.calls.find((call) => call !== bobA)!;
    expect(bobNew.direction).toBe('outgoing');
    expect(bobNew.state).toBe('connected');
    expect(carolNew.state).toBe('connected');
    expect(carolNew.direction).toBe('incoming');
    // Carol had been held by alice, not holding: the replacing call talks both ways.
    expect(flow(bobNew)).toEqual({ send: true, receive: true });
    expect(flow(carolNew)).toEqual({ send: true, receive: true });

    expect(transfer.map((event) => (event.role === 'transferor' ? event.state : 'transferee'))).toContain(
      'succeeded',
    );
    expect(callA.end).toEqual({ by: 'local', reason: 'transferred' });
    expect(bobA.end).toEqual({ by: 'remote', reason: 'normal' });
    expect(carolB.end).toEqual({ by: 'remote', reason: 'replaced' });
    expect(callB.end).toEqual({ by: 'remote', reason: 'normal' });
    expect(alice.calls.calls).toHaveLength(0);
    expect(bob.calls.calls).toEqual([bobNew]);
    expect(carolCalls.calls).toEqual([carolNew]);
  });
});
