// Incoming calls (RFC 3261 §13.3, §9.2, §15): alice's agent calls bob's on the loopback network, or a scripted peer
// sends bob INVITEs a well-behaved agent never would (no SDP, no ACK, bad SDP), under the manual clock.
import { afterEach, describe, expect, it } from 'vitest';
import type { SipResponse } from '../../../../main/sip/message/message';
import type { Call } from '../../../../main/ua/call/call';
import type { AutoRejected } from '../../../../main/ua/call/call-usage';
import { PCMU_ANSWER, PCMU_OFFER, ScriptedPeer } from '../../../support/scripted-peer';
import { BOB_ADDRESS, type UaPair, startUaPair } from '../../../support/ua-pair';

let pair: UaPair | undefined;
let peer: ScriptedPeer | undefined;
afterEach(async () => {
  peer?.close();
  peer = undefined;
  await pair?.close();
  pair = undefined;
});

async function ringing(options: Parameters<typeof startUaPair>[0] = {}): Promise<{
  pair: UaPair;
  caller: Call;
  callee: Call;
}> {
  pair = await startUaPair(options);
  const caller = pair.alice.calls.dial(pair.bob.uri);
  await pair.settle();
  const callee = pair.bob.incoming[0]!;
  return { pair, caller, callee };
}

let sequence = 0;
/** An INVITE from the scripted peer to bob, with an SDP offer unless `sdp` is null. */
function sendInvite(
  peer: ScriptedPeer,
  sdp: string | null = PCMU_OFFER,
  contentType = 'application/sdp',
): string {
  sequence += 1;
  const callId = `peer-call-${sequence}`;
  const body = sdp ?? '';
  const lines = [
    `INVITE sip:bob@${BOB_ADDRESS}:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP ${peer.address.address}:5060;branch=z9hG4bK-inv-${sequence}`,
    'Max-Forwards: 70',
    `From: <${peer.uri}>;tag=peer${sequence}`,
    `To: <sip:bob@${BOB_ADDRESS}:5060>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <${peer.uri}>`,
    ...(sdp === null ? [] : [`Content-Type: ${contentType}`]),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ];
  peer.sendText(lines.join('\r\n'), BOB_ADDRESS);
  return callId;
}

/** The ACK (or another in-dialog request) the peer sends for a 2xx, built from the response it received. */
function sendInDialog(
  peer: ScriptedPeer,
  response: SipResponse,
  method: string,
  body = '',
  cseq?: number,
): void {
  sequence += 1;
  const lines = [
    `${method} sip:bob@${BOB_ADDRESS}:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP ${peer.address.address}:5060;branch=z9hG4bK-${method.toLowerCase()}-${sequence}`,
    'Max-Forwards: 70',
    `From: ${response.header('from')}`,
    `To: ${response.header('to')}`,
    `Call-ID: ${response.callId}`,
    `CSeq: ${cseq ?? response.cseq.seq} ${method}`,
    ...(body ? ['Content-Type: application/sdp'] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ];
  peer.sendText(lines.join('\r\n'), BOB_ADDRESS);
}

function finals(peer: ScriptedPeer, status: number): SipResponse[] {
  return peer.responses().filter((response) => response.status === status);
}

async function peerAndPair(options: Parameters<typeof startUaPair>[0] = {}) {
  pair = await startUaPair(options);
  peer = await ScriptedPeer.start(pair.network, '10.0.0.9');
  return { pair, peer };
}

describe('an incoming call', () => {
  it('rings (180 with a To tag and Contact), surfaces in ringing, and answer() connects both ends', async () => {
    const { pair, caller, callee } = await ringing();
    expect(callee.state).toBe('ringing');
    expect(callee.direction).toBe('incoming');
    expect(callee.remote.uri).toMatchObject({ user: 'anonymous', host: '10.0.0.1' });
    expect(caller.state).toBe('early');
    expect(callee.answer()).toBe(true);
    expect(callee.state).toBe('connecting');
    await pair.settle();
    expect(caller.state).toBe('connected');
    expect(callee.state).toBe('connected');
    expect(pair.bob.media.lastKinds).toEqual(['start']);
    expect(pair.alice.media.lastKinds).toEqual(['start']);
    // Each side sends to the other's RTP address; Opus is first in both lists.
    expect(pair.alice.media.lastMedia).toMatchObject({
      remoteRtp: { address: '10.0.0.2' },
      codec: { name: 'opus' },
    });
    expect(pair.bob.media.lastMedia).toMatchObject({
      remoteRtp: { address: '10.0.0.1' },
      codec: { name: 'opus' },
    });
  });

  it('BYE from the callee ends both: remote normal for the caller, local normal for the callee', async () => {
    const { pair, caller, callee } = await ringing();
    callee.answer();
    await pair.settle();
    callee.hangup();
    await pair.settle();
    expect(caller.end).toEqual({ by: 'remote', reason: 'normal' });
    expect(callee.end).toEqual({ by: 'local', reason: 'normal' });
    expect(pair.alice.ua.dialogs.size + pair.bob.ua.dialogs.size).toBe(0);
  });

  it('reject() answers 486 by default and 603 when asked; the caller sees busy / declined', async () => {
    const first = await ringing();
    first.callee.reject();
    await first.pair.settle();
    expect(first.caller.end).toMatchObject({ by: 'remote', reason: 'busy', status: 486 });
    expect(first.callee.end).toEqual({ by: 'local', reason: 'rejected', status: 486 });
    await first.pair.close();
    const second = await ringing();
    second.callee.reject(603);
    await second.pair.settle();
    expect(second.caller.end).toMatchObject({ reason: 'declined', status: 603 });
  });

  it('do-not-disturb answers 486 at once and never surfaces the call', async () => {
    pair = await startUaPair({ bob: { doNotDisturb: true } });
    const refused: AutoRejected[] = [];
    pair.bob.calls.onAutoRejected((rejected) => refused.push(rejected));
    const caller = pair.alice.calls.dial(pair.bob.uri);
    await pair.settle();
    expect(caller.end).toMatchObject({ reason: 'busy', status: 486 });
    expect(pair.bob.incoming).toHaveLength(0);
    expect(refused).toEqual([
      { from: expect.objectContaining({ uri: expect.objectContaining({ user: 'anonymous' }) }), status: 486 },
    ]);
    pair.bob.calls.setDoNotDisturb(false);
    pair.alice.calls.dial(pair.bob.uri);
    await pair.settle();
    expect(pair.bob.incoming).toHaveLength(1);
  });

  it('a CANCEL from the caller gets the INVITE a 487 and ends the call as cancelled-by-caller (§9.2)', async () => {
    const { pair, caller, callee } = await ringing();
    caller.hangup();
    await pair.settle();
    expect(callee.end).toEqual({ by: 'remote', reason: 'cancelled-by-caller', status: 487 });
    expect(caller.end).toMatchObject({ by: 'local', reason: 'cancelled', status: 487 });
    expect(pair.bob.media.lastKinds).toEqual(['stop']);
  });

  it('answers the CANCEL 200 before the INVITE 487, and a BYE outside any dialog 481', async () => {
    const { pair, peer } = await peerAndPair();
    const callId = sendInvite(peer);
    await pair.settle();
    const invite = `CANCEL sip:bob@${BOB_ADDRESS}:5060 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-inv-${sequence}\r\nMax-Forwards: 70\r\nFrom: <${peer.uri}>;tag=peer${sequence}\r\nTo: <sip:bob@${BOB_ADDRESS}:5060>\r\nCall-ID: ${callId}\r\nCSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n`;
    peer.sendText(invite, BOB_ADDRESS);
    await pair.settle();
    const finalsSeen = peer
      .responses()
      .filter((response) => response.status >= 200)
      .map((response) => `${response.status} ${response.cseq.method}`);
    expect(finalsSeen).toEqual(['200 CANCEL', '487 INVITE']);
    expect(pair.bob.incoming[0]!.end).toMatchObject({ reason: 'cancelled-by-caller' });
    peer.sendText(invite.replace(/CANCEL/g, 'BYE').replace('inv-', 'bye-'), BOB_ADDRESS);
    await pair.settle();
    expect(peer.responses().at(-1)).toMatchObject({ status: 481 });
  });

  it('hangup() while our 2xx waits for its ACK sends the BYE only after the ACK (§15)', async () => {
    const { pair, peer } = await peerAndPair();
    sendInvite(peer);
    await pair.settle();
    const callee = pair.bob.incoming[0]!;
    callee.answer();
    callee.hangup();
    await pair.settle();
    expect(peer.requests('BYE')).toHaveLength(0);
    const ok = finals(peer, 200)[0]!;
    sendInDialog(peer, ok, 'ACK');
    await pair.settle();
    expect(peer.requests('BYE')).toHaveLength(1);
    peer.reply(peer.lastRequest('BYE'), 200);
    await pair.settle();
    expect(callee.end).toEqual({ by: 'local', reason: 'normal' });
  });
});

describe('the 2xx and its ACK (§13.3.1.4)', () => {
  it('resends the 2xx at T1, 2T1, 4T1, ... capped at T2 until the ACK', async () => {
    const { pair, peer } = await peerAndPair();
    sendInvite(peer);
    await pair.settle();
    pair.bob.incoming[0]!.answer();
    await pair.pass(12_000);
    const times = pair.network.trace
      .filter((entry) => entry.text.startsWith('SIP/2.0 200') && entry.to.address === '10.0.0.9')
      .map((entry) => entry.sentAt);
    expect(times).toEqual([0, 500, 1500, 3500, 7500, 11500]);
    sendInDialog(peer, finals(peer, 200)[0]!, 'ACK');
    await pair.pass(10_000);
    expect(finals(peer, 200)).toHaveLength(6);
    expect(pair.bob.incoming[0]!.state).toBe('connected');
  });

  it('without an ACK for 64·T1 the call is BYEd and ends with no-ack', async () => {
    const { pair, peer } = await peerAndPair();
    sendInvite(peer);
    await pair.settle();
    const callee = pair.bob.incoming[0]!;
    callee.answer();
    peer.autoRespond((request) => {
      if (request.method === 'BYE') peer!.reply(request, 200);
    });
    await pair.pass(31_999);
    expect(peer.requests('BYE')).toHaveLength(0);
    await pair.pass(1);
    expect(peer.requests('BYE')).toHaveLength(1);
    expect(callee.end).toEqual({ by: 'error', reason: 'no-ack' });
  });

  it('an INVITE without SDP gets our offer in the 2xx; the answer comes in the ACK', async () => {
    const { pair, peer } = await peerAndPair();
    sendInvite(peer, null);
    await pair.settle();
    const callee = pair.bob.incoming[0]!;
    callee.answer();
    await pair.settle();
    const ok = finals(peer, 200)[0]!;
    expect(ok.bodyText).toContain('m=audio 40000 RTP/AVP');
    expect(pair.bob.media.lastKinds).toEqual([]);
    sendInDialog(peer, ok, 'ACK', PCMU_ANSWER);
    await pair.settle();
    expect(callee.state).toBe('connected');
    expect(pair.bob.media.lastMedia).toMatchObject({
      remoteRtp: { address: '10.0.0.9', port: 30000 },
      codec: { name: 'pcmu' },
    });
  });

  it('an ACK without the answer we asked for ends the call with a BYE (media-refused)', async () => {
    const { pair, peer } = await peerAndPair();
    sendInvite(peer, null);
    await pair.settle();
    const callee = pair.bob.incoming[0]!;
    callee.answer();
    await pair.settle();
    sendInDialog(peer, finals(peer, 200)[0]!, 'ACK');
    await pair.settle();
    expect(peer.requests('BYE')).toHaveLength(1);
    expect(callee.state).toBe('ending');
  });
});

describe('offers we cannot take', () => {
  it('no common codec: 488 with a Warning, and no call surfaces', async () => {
    const { pair, peer } = await peerAndPair();
    sendInvite(
      peer,
      PCMU_OFFER.replace('RTP/AVP 0 101', 'RTP/AVP 18').replace(
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:18 G729/8000',
      ),
    );
    await pair.settle();
    const refusal = finals(peer, 488)[0]!;
    expect(refusal.header('warning')).toMatch(/^305 /);
    expect(pair.bob.incoming).toHaveLength(0);
    expect(pair.bob.calls.calls).toHaveLength(0);
  });

  it('a body that is not SDP: 400; another content type: 415 with Accept', async () => {
    const { pair, peer } = await peerAndPair();
    sendInvite(peer, 'hello');
    sendInvite(peer, 'hello', 'text/plain');
    await pair.settle();
    expect(finals(peer, 400)).toHaveLength(1);
    expect(finals(peer, 415)[0]!.header('accept')).toBe('application/sdp');
    expect(pair.bob.incoming).toHaveLength(0);
  });
});

describe('early media', () => {
  it('sends 183 with our answer when asked, and the caller plays it before the answer', async () => {
    const { pair, caller, callee } = await ringing({ bob: { earlyMedia: true } });
    expect(caller.state).toBe('early');
    expect(pair.alice.media.lastKinds).toEqual(['start']);
    expect(pair.bob.media.lastKinds).toEqual(['start']);
    callee.answer();
    await pair.settle();
    expect([caller.end, callee.end]).toEqual([undefined, undefined]);
    expect(caller.state).toBe('connected');
    // The 2xx repeats the same answer: the caller's port is not asked to start again.
    expect(pair.alice.media.lastKinds[0]).toBe('start');
  });
});

describe('the call limit (habit 11)', () => {
  it('refuses INVITEs past maxCalls with 486 and no media port; dial() past it ends with call-limit', async () => {
    pair = await startUaPair({ bob: { maxCalls: 3 }, alice: { maxCalls: 5 } });
    peer = await ScriptedPeer.start(pair.network, '10.0.0.9');
    const refused: AutoRejected[] = [];
    pair.bob.calls.onAutoRejected((rejected) => refused.push(rejected));
    for (let index = 0; index < 10; index++) sendInvite(peer);
    await pair.settle();
    expect(pair.bob.incoming).toHaveLength(3);
    expect(pair.bob.media.ports).toHaveLength(3);
    expect(finals(peer, 486)).toHaveLength(7);
    expect(refused).toHaveLength(7);
    // Once one ends, there is room again.
    pair.bob.incoming[0]!.reject();
    sendInvite(peer);
    await pair.settle();
    expect(pair.bob.incoming).toHaveLength(4);
    const calls = Array.from({ length: 6 }, () => pair!.alice.calls.dial(pair!.bob.uri));
    expect(calls[5]!.end).toMatchObject({ by: 'error', reason: 'call-limit' });
    expect(calls[4]!.state).toBe('calling');
  });
});
