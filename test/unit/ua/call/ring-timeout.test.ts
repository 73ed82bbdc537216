// The ring timeout: an outgoing call that rings longer than the limit (default 120 s) is CANCELled and ends as
// `no-answer`; an incoming call nobody answers within it gets 480 Temporarily Unavailable and ends as missed.
import { afterEach, describe, expect, it } from 'vitest';
import { parseUri, type SipUri } from '../../../../main/sip/message/uri';
import { DEFAULT_RING_TIMEOUT_MS } from '../../../../main/ua/call/call-usage';
import { PCMU_ANSWER, ScriptedPeer } from '../../../support/scripted-peer';
import { type UaPair, type UaPairOptions, startUaPair } from '../../../support/ua-pair';

let pair: UaPair | undefined;
let peer: ScriptedPeer | undefined;
afterEach(async () => {
  peer?.close();
  peer = undefined;
  await pair?.close();
  pair = undefined;
});

function uri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.value as SipUri;
}

async function start(options: UaPairOptions = {}): Promise<UaPair> {
  pair = await startUaPair(options);
  return pair;
}

function sent(pair: UaPair, from: string, method: string): string[] {
  return pair.network.trace
    .filter((entry) => entry.from.address === from && entry.text.startsWith(`${method} `))
    .map((entry) => entry.text);
}

describe('ring timeout, outgoing', () => {
  it('defaults to 120 s: the call is CANCELled then and ends as no-answer by us', async () => {
    expect(DEFAULT_RING_TIMEOUT_MS).toBe(120_000);
    // bob never times out on his side within the test.
    const pair = await start({ bob: { ringTimeoutMs: 600_000 } });
    const call = pair.alice.calls.dial(pair.bob.uri);
    await pair.settle();
    expect(call.state).toBe('early');
    await pair.pass(119_999);
    expect(call.state).toBe('early');
    expect(sent(pair, '10.0.0.1', 'CANCEL')).toHaveLength(0);
    await pair.pass(1);
    expect(sent(pair, '10.0.0.1', 'CANCEL')).toHaveLength(1);
    expect(call.end).toEqual({
      by: 'local',
      reason: 'no-answer',
      status: 487,
      detail: '487 Request Terminated',
    });
    expect(pair.bob.incoming[0]!.end).toMatchObject({ by: 'remote', reason: 'cancelled-by-caller' });
  });

  it('follows the configured limit and leaves an answered call alone', async () => {
    const pair = await start({ alice: { ringTimeoutMs: 5_000 } });
    const short = pair.alice.calls.dial(pair.bob.uri);
    await pair.pass(5_000);
    expect(short.end).toMatchObject({ by: 'local', reason: 'no-answer' });
    const answered = pair.alice.calls.dial(pair.bob.uri);
    await pair.settle();
    pair.bob.incoming[1]!.answer();
    await pair.pass(10_000);
    expect(answered.state).toBe('connected');
    expect(sent(pair, '10.0.0.1', 'CANCEL')).toHaveLength(1);
  });
  it('a 2xx that crosses the CANCEL of the ring timeout is ACKed and BYEd, and the end is still no-answer', async () => {
    const pair = await start({ alice: { ringTimeoutMs: 5_000 } });
    peer = await ScriptedPeer.start(pair.network, '10.0.0.9');
    const thePeer = peer;
    const call = pair.alice.calls.dial(uri(peer.uri));
    await pair.settle();
    const invite = peer.lastRequest('INVITE');
    peer.reply(invite, 180, { toTag: 'r' });
    peer.autoRespond((request) => {
      if (request.method === 'CANCEL') {
        thePeer.reply(request, 200, { toTag: 'r' });
        // The far end answered just before the CANCEL reached it (RFC 3261 §9.1).
        thePeer.reply(invite, 200, { toTag: 'r', sdp: PCMU_ANSWER });
      } else if (request.method === 'BYE') thePeer.reply(request, 200);
    });
    await pair.pass(5_000);
    expect(peer.requests('ACK')).toHaveLength(1);
    expect(peer.requests('BYE')).toHaveLength(1);
    expect(call.end).toEqual({ by: 'local', reason: 'no-answer' });
  });

  it('a far end that takes the CANCEL but never answers the INVITE: the call ends 64·T1 later all the same', async () => {
    const pair = await start({ alice: { ringTimeoutMs: 5_000 } });
    peer = await ScriptedPeer.start(pair.network, '10.0.0.9');
    const thePeer = peer;
    const call = pair.alice.calls.dial(uri(peer.uri));
    await pair.settle();
    peer.reply(peer.lastRequest('INVITE'), 180, { toTag: 'r' });
    peer.autoRespond((request) => {
      // The CANCEL is answered; the 487 for the INVITE never comes (RFC 3261 §9.1).
      if (request.method === 'CANCEL') thePeer.reply(request, 200, { toTag: 'r' });
    });
    await pair.pass(5_000);
    expect(peer.requests('CANCEL')).toHaveLength(1);
    expect(call.state).toBe('ending');
    await pair.pass(31_999);
    expect(call.state).toBe('ending');
    await pair.pass(1);
    expect(call.end).toMatchObject({ by: 'local', reason: 'no-answer' });
  });
});

describe('ring timeout turned off', () => {
  it('ringTimeoutMs 0 (or Infinity) lets both sides ring for as long as nobody acts', async () => {
    const pair = await start({
      alice: { ringTimeoutMs: 0 },
      bob: { ringTimeoutMs: Number.POSITIVE_INFINITY },
    });
    const call = pair.alice.calls.dial(pair.bob.uri);
    await pair.pass(3_600_000);
    expect(call.state).toBe('early');
    expect(pair.bob.incoming[0]!.state).toBe('ringing');
    expect(sent(pair, '10.0.0.1', 'CANCEL')).toHaveLength(0);
  });
});

describe('ring timeout, incoming', () => {
  it('an unanswered call gets 480 at the limit and ends as a missed call (no-answer)', async () => {
    const pair = await start({ alice: { ringTimeoutMs: 600_000 }, bob: { ringTimeoutMs: 30_000 } });
    const call = pair.alice.calls.dial(pair.bob.uri);
    await pair.settle();
    const ringing = pair.bob.incoming[0]!;
    await pair.pass(29_999);
    expect(ringing.state).toBe('ringing');
    await pair.pass(1);
    expect(ringing.end).toEqual({ by: 'local', reason: 'no-answer', status: 480 });
    expect(call.end).toMatchObject({ by: 'remote', reason: 'unavailable', status: 480 });
  });

  it('a call answered in time is not touched by the limit', async () => {
    const pair = await start({ bob: { ringTimeoutMs: 30_000 } });
    pair.alice.calls.dial(pair.bob.uri);
    await pair.pass(10_000);
    pair.bob.incoming[0]!.answer();
    await pair.pass(60_000);
    expect(pair.bob.incoming[0]!.state).toBe('connected');
  });
});
