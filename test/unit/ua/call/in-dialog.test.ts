// Inside a call (RFC 3261 §14, §15; RFC 3264 §8; RFC 3311; RFC 6337): hold and resume by re-INVITE both ways,
// re-INVITE without SDP, 491 glare and its back-off, UPDATE, INFO DTMF, OPTIONS, and 481s, between two agents
// or from a scripted peer, under the manual clock.
import { afterEach, describe, expect, it } from 'vitest';
import type { DtmfDigit } from '../../../../main/media/media-seams';
import type { SipResponse } from '../../../../main/sip/message/message';
import type { Call } from '../../../../main/ua/call/call';
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

async function connected(): Promise<{ pair: UaPair; caller: Call; callee: Call }> {
  pair = await startUaPair();
  const caller = pair.alice.calls.dial(pair.bob.uri);
  await pair.settle();
  const callee = pair.bob.incoming[0]!;
  callee.answer();
  await pair.settle();
  return { pair, caller, callee };
}

let sequence = 100;
function request(
  method: string,
  headers: { from: string; to: string; callId: string; cseq: number },
  body = '',
  contentType = 'application/sdp',
): string {
  sequence += 1;
  return [
    `${method} sip:bob@${BOB_ADDRESS}:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-${method.toLowerCase()}-${sequence}`,
    'Max-Forwards: 70',
    `From: ${headers.from}`,
    `To: ${headers.to}`,
    `Call-ID: ${headers.callId}`,
    `CSeq: ${headers.cseq} ${method}`,
    'Contact: <sip:peer@10.0.0.9:5060>',
    ...(body ? [`Content-Type: ${contentType}`] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** The scripted peer calls bob, bob answers, the peer ACKs: a connected call whose far end the test scripts. */
async function peerCall(): Promise<{
  pair: UaPair;
  peer: ScriptedPeer;
  callee: Call;
  send: (method: string, body?: string, cseq?: number, contentType?: string) => void;
  lastResponse: () => SipResponse;
}> {
  pair = await startUaPair();
  peer = await ScriptedPeer.start(pair.network, '10.0.0.9');
  const ids = {
    from: '<sip:peer@10.0.0.9:5060>;tag=pt',
    to: `<sip:bob@${BOB_ADDRESS}:5060>`,
    callId: 'peer-dialog',
    cseq: 1,
  };
  peer.sendText(request('INVITE', ids, PCMU_OFFER), BOB_ADDRESS);
  await pair.settle();
  const callee = pair.bob.incoming[0]!;
  callee.answer();
  await pair.settle();
  const ok = peer.responses().find((response) => response.status === 200)!;
  const dialog = { ...ids, to: ok.header('to')! };
  peer.sendText(request('ACK', dialog), BOB_ADDRESS);
  await pair.settle();
  let cseq = 1;
  const thePeer = peer;
  return {
    pair,
    peer,
    callee,
    send: (method, body = '', explicit, contentType) => {
      if (method !== 'ACK') cseq = explicit ?? cseq + 1;
      thePeer.sendText(
        request(method, { ...dialog, cseq: explicit ?? cseq }, body, contentType),
        BOB_ADDRESS,
      );
    },
    lastResponse: () => thePeer.responses().at(-1)!,
  };
}

describe('hold and resume', () => {
  it('hold() re-INVITEs with sendonly; both ends update media; resume() restores sendrecv', async () => {
    const { pair, caller, callee } = await connected();
    const holds: unknown[] = [];
    callee.on('hold', (hold) => holds.push(hold));
    expect(caller.holdCall()).toBe(true);
    await pair.settle();
    const reinvite = pair.network.trace.filter((entry) => entry.text.startsWith('INVITE ')).at(-1)!;
    expect(reinvite.text).toContain('a=sendonly');
    expect(caller.hold).toEqual({ local: true, remote: false });
    expect(pair.alice.media.lastKinds).toEqual(['start', 'update']);
    expect(pair.alice.media.lastMedia).toMatchObject({ send: true, receive: false, heldByRemote: false });
    expect(callee.hold).toEqual({ local: false, remote: true });
    expect(pair.bob.media.lastMedia).toMatchObject({ send: false, receive: true, heldByRemote: true });
    caller.resume();
    await pair.settle();
    expect(caller.hold).toEqual({ local: false, remote: false });
    expect(callee.hold).toEqual({ local: false, remote: false });
    expect(pair.bob.media.lastMedia).toMatchObject({ send: true, receive: true });
    expect(holds).toEqual([
      { local: false, remote: true },
      { local: false, remote: false },
    ]);
    // RFC 3264 §8: each changed offer bumps the o= version.
    const versions = pair.network.trace
      .filter((entry) => entry.text.startsWith('INVITE ') && entry.from.address === '10.0.0.1')
      .map((entry) => /o=- \d+ (\d+)/.exec(entry.text)![1]);
    expect(Number(versions[2])).toBe(Number(versions[1]) + 1);
    expect(Number(versions[1])).toBe(Number(versions[0]) + 1);
  });

  it('both ends on hold: the second holder offers inactive (RFC 6337 §5)', async () => {
    const { pair, caller, callee } = await connected();
    caller.holdCall();
    await pair.settle();
    callee.holdCall();
    await pair.settle();
    const last = pair.network.trace.filter((entry) => entry.text.startsWith('INVITE ')).at(-1)!;
    expect(last.from.address).toBe('10.0.0.2');
    expect(last.text).toContain('a=inactive');
    expect(caller.hold).toEqual({ local: true, remote: true });
    expect(callee.hold).toEqual({ local: true, remote: true });
  });

  it('a far end holding with the legacy c=0.0.0.0 is understood as holding', async () => {
    const { pair, callee, send } = await peerCall();
    send('INVITE', PCMU_OFFER.replace('c=IN IP4 10.0.0.9', 'c=IN IP4 0.0.0.0'));
    await pair.settle();
    expect(peer!.responses().at(-1)!.status).toBe(200);
    expect(peer!.responses().at(-1)!.bodyText).toContain('a=recvonly');
    expect(callee.hold).toEqual({ local: false, remote: true });
    expect(pair.bob.media.lastMedia).toMatchObject({ send: false, heldByRemote: true });
  });

  it('a re-INVITE with a new address and codec updates the media port', async () => {
    const { pair, send } = await peerCall();
    send(
      'INVITE',
      PCMU_OFFER.replace('m=audio 30002 RTP/AVP 0 101', 'm=audio 31000 RTP/AVP 8 101')
        .replace('a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000')
        .replace(/10\.0\.0\.9/g, '10.0.0.19'),
    );
    await pair.settle();
    expect(pair.bob.media.lastKinds).toEqual(['start', 'update']);
    expect(pair.bob.media.lastMedia).toMatchObject({
      remoteRtp: { address: '10.0.0.19', port: 31000 },
      codec: { name: 'pcma' },
    });
  });

  it('a re-INVITE without SDP gets our offer in the 200; its ACK brings the answer', async () => {
    const { pair, send, lastResponse } = await peerCall();
    send('INVITE');
    await pair.settle();
    const ok = lastResponse();
    expect(ok.status).toBe(200);
    expect(ok.bodyText).toContain('m=audio 40000');
    send('ACK', PCMU_ANSWER, ok.cseq.seq);
    await pair.settle();
    expect(pair.bob.media.lastKinds).toEqual(['start', 'update']);
    expect(pair.bob.media.lastMedia).toMatchObject({ remoteRtp: { port: 30000 } });
  });

  it('an offer we cannot take in a re-INVITE gets 488 and the call goes on unchanged', async () => {
    const { pair, callee, send, lastResponse } = await peerCall();
    send(
      'INVITE',
      PCMU_OFFER.replace('RTP/AVP 0 101', 'RTP/AVP 18').replace(
        'a=rtpmap:0 PCMU/8000',
        'a=rtpmap:18 G729/8000',
      ),
    );
    await pair.settle();
    expect(lastResponse().status).toBe(488);
    expect(callee.state).toBe('connected');
    expect(pair.bob.media.lastKinds).toEqual(['start']);
  });

  it('a 481 to our re-INVITE ends the call with dialog-lost', async () => {
    const { pair, callee } = await peerCall();
    peer!.autoRespond((incoming) => {
      if (incoming.method === 'INVITE') peer!.reply(incoming, 481);
    });
    callee.holdCall();
    await pair.settle();
    expect(callee.end).toMatchObject({ by: 'remote', reason: 'dialog-lost', status: 481 });
  });
});

describe('glare (§14.1)', () => {
  it('crossing re-INVITEs both get 491; each retries after its back-off and both holds land', async () => {
    const { pair, caller, callee } = await connected();
    caller.holdCall();
    callee.holdCall();
    await pair.settle();
    const pending = pair.network.trace.filter((entry) => entry.text.startsWith('SIP/2.0 491'));
    expect(pending).toHaveLength(2);
    const start = pair.clock.now();
    await pair.pass(4_100);
    const retries = pair.network.trace.filter(
      (entry) => entry.text.startsWith('INVITE ') && entry.sentAt > start,
    );
    expect(retries.length).toBeGreaterThanOrEqual(2);
    // bob (who did not send the first INVITE) retries within 0-2 s; alice (who owns the Call-ID) within 2.1-4 s.
    const bobRetry = retries.find((entry) => entry.from.address === '10.0.0.2')!;
    const aliceRetry = retries.find((entry) => entry.from.address === '10.0.0.1')!;
    expect(bobRetry.sentAt - start).toBeLessThanOrEqual(2_000);
    expect(aliceRetry.sentAt - start).toBeGreaterThanOrEqual(2_100);
    expect(aliceRetry.sentAt - start).toBeLessThanOrEqual(4_000);
    expect(caller.hold).toEqual({ local: true, remote: true });
    expect(callee.hold).toEqual({ local: true, remote: true });
  });

  it('an UPDATE with an offer while our re-INVITE is pending gets 491 (RFC 3311 §5.2)', async () => {
    const { pair, callee, send, lastResponse } = await peerCall();
    callee.holdCall();
    send('UPDATE', PCMU_OFFER);
    await pair.settle();
    expect(lastResponse().status).toBe(491);
    expect(lastResponse().cseq.method).toBe('UPDATE');
  });
});

describe('UPDATE, INFO and OPTIONS in the dialog', () => {
  it('answers an UPDATE with an offer (RFC 3311) and updates media; one without a body gets a bare 200', async () => {
    const { pair, send, lastResponse } = await peerCall();
    send('UPDATE', PCMU_OFFER.replace('c=IN IP4 10.0.0.9', 'c=IN IP4 10.0.0.29'));
    await pair.settle();
    expect(lastResponse().status).toBe(200);
    expect(lastResponse().bodyText).toContain('m=audio 40000');
    expect(pair.bob.media.lastMedia).toMatchObject({ remoteRtp: { address: '10.0.0.29' } });
    send('UPDATE');
    await pair.settle();
    expect(lastResponse()).toMatchObject({ status: 200 });
    expect(lastResponse().body.length).toBe(0);
  });

  it('sendInfoDtmf() sends INFO application/dtmf-relay; the other end emits the digit', async () => {
    const { pair, caller, callee } = await connected();
    const digits: DtmfDigit[] = [];
    callee.on('dtmf', (digit) => digits.push(digit));
    expect(caller.sendInfoDtmf('5')).toBe(true);
    expect(caller.sendInfoDtmf('#', 250)).toBe(true);
    expect(caller.sendInfoDtmf('x')).toBe(false);
    await pair.settle();
    expect(digits).toEqual([
      { digit: '5', durationMs: 160 },
      { digit: '#', durationMs: 250 },
    ]);
    const info = pair.network.trace.find((entry) => entry.text.startsWith('INFO '))!;
    expect(info.text).toContain('Content-Type: application/dtmf-relay');
    expect(info.text).toContain('Signal=5\r\nDuration=160');
  });

  it('INFO with another body type gets 415; a dtmf-relay body without a digit gets 400', async () => {
    const { pair, send, lastResponse } = await peerCall();
    send('INFO', 'hello', undefined, 'text/plain');
    await pair.settle();
    expect(lastResponse().status).toBe(415);
    send('INFO', 'Signal=\r\n', undefined, 'application/dtmf-relay');
    await pair.settle();
    expect(lastResponse().status).toBe(400);
    send('INFO', '7', undefined, 'application/dtmf');
    await pair.settle();
    expect(lastResponse().status).toBe(200);
  });

  it('OPTIONS inside the dialog is answered 200 with our Allow', async () => {
    const { pair, send, lastResponse } = await peerCall();
    send('OPTIONS');
    await pair.settle();
    expect(lastResponse().status).toBe(200);
    expect(lastResponse().header('allow')).toContain('INVITE');
    expect(lastResponse().header('allow')).toContain('UPDATE');
  });

  it('a BYE from the far end is answered 200 and ends the call as remote normal', async () => {
    const { pair, callee, send, lastResponse } = await peerCall();
    send('BYE');
    await pair.settle();
    expect(lastResponse().status).toBe(200);
    expect(callee.end).toEqual({ by: 'remote', reason: 'normal' });
    // The dialog is gone: the next request in it is refused with 481 by the UAS core.
    send('BYE');
    await pair.settle();
    expect(lastResponse().status).toBe(481);
  });

  it('a CSeq below the last one is refused with 500 (§12.2.2) and the call goes on', async () => {
    const { pair, callee, send, lastResponse } = await peerCall();
    send('INFO', '7', 5, 'application/dtmf');
    send('INFO', '7', 3, 'application/dtmf');
    await pair.settle();
    expect(lastResponse().status).toBe(500);
    expect(callee.state).toBe('connected');
  });
});

describe('call waiting', () => {
  it('answering a second incoming call puts the first on hold', async () => {
    const { pair, caller, callee } = await connected();
    peer = await ScriptedPeer.start(pair.network, '10.0.0.9');
    const ids = {
      from: '<sip:peer@10.0.0.9:5060>;tag=cw',
      to: `<sip:bob@${BOB_ADDRESS}:5060>`,
      callId: 'waiting',
      cseq: 1,
    };
    peer.sendText(request('INVITE', ids, PCMU_OFFER), BOB_ADDRESS);
    await pair.settle();
    expect(pair.bob.incoming).toHaveLength(2);
    expect(callee.hold.local).toBe(false);
    pair.bob.incoming[1]!.answer();
    await pair.settle();
    expect(callee.hold).toEqual({ local: true, remote: false });
    expect(caller.hold).toEqual({ local: false, remote: true });
    expect(pair.bob.incoming[1]!.hold.local).toBe(false);
  });
});

describe('a far end that vanished', () => {
  it('mediaLost() ends the call with a BYE and reason media-timeout; it does nothing once the call is over', async () => {
    const { pair, caller, callee } = await connected();
    expect(caller.mediaLost()).toBe(true);
    await pair.settle();
    expect(caller.end).toEqual({ by: 'error', reason: 'media-timeout' });
    expect(callee.end).toEqual({ by: 'remote', reason: 'normal' });
    expect(caller.mediaLost()).toBe(false);
  });
});
