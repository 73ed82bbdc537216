// Requests a far end sends in an early dialog of our outgoing call (RFC 3311 §5.1, RFC 6086): UPDATE with an offer
// is answered once our INVITE's offer has its answer (491 before that, §5.2), UPDATE without a body gets 200, and
// INFO DTMF is taken, on any fork, instead of the 481 a fork we do not keep would get.
import { afterEach, describe, expect, it } from 'vitest';
import type { SipRequest } from '../../../../main/sip/message/message';
import { parseUri, type SipUri } from '../../../../main/sip/message/uri';
import type { Call } from '../../../../main/ua/call/call';
import { PCMU_ANSWER, PCMU_OFFER, ScriptedPeer } from '../../../support/scripted-peer';
import { ALICE_ADDRESS, type UaPair, startUaPair } from '../../../support/ua-pair';

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

async function ringing(): Promise<{ pair: UaPair; peer: ScriptedPeer; call: Call; invite: SipRequest }> {
  pair = await startUaPair();
  peer = await ScriptedPeer.start(pair.network, '10.0.0.9');
  const call = pair.alice.calls.dial(uri(peer.uri));
  await pair.settle();
  return { pair, peer, call, invite: peer.lastRequest('INVITE') };
}

let cseq = 10;
/** A request from the peer in the early dialog `toTag` of alice's INVITE. */
function inEarlyDialog(
  invite: SipRequest,
  toTag: string,
  method: string,
  body?: { type: string; text: string },
): string {
  cseq += 1;
  return [
    `${method} sip:alice@${ALICE_ADDRESS}:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-early-${cseq}`,
    'Max-Forwards: 70',
    `From: ${invite.header('to')};tag=${toTag}`,
    `To: ${invite.header('from')}`,
    `Call-ID: ${invite.callId}`,
    `CSeq: ${cseq} ${method}`,
    'Contact: <sip:peer@10.0.0.9:5060>',
    ...(body ? [`Content-Type: ${body.type}`] : []),
    `Content-Length: ${body ? Buffer.byteLength(body.text) : 0}`,
    '',
    body?.text ?? '',
  ].join('\r\n');
}

function answerTo(peer: ScriptedPeer, method: string) {
  return peer.responses().filter((response) => response.cseq.method === method);
}

describe('UPDATE in an early dialog of our call', () => {
  it('with an offer after the 183 answer: 200 with our answer, and the media follows', async () => {
    const { pair, peer, call, invite } = await ringing();
    peer.reply(invite, 183, { toTag: 'a', sdp: PCMU_ANSWER });
    await pair.settle();
    expect(call.state).toBe('early');
    const moved = PCMU_OFFER.replace('m=audio 30002', 'm=audio 31000').replace('o=peer 2 2', 'o=peer 3 3');
    peer.sendText(
      inEarlyDialog(invite, 'a', 'UPDATE', { type: 'application/sdp', text: moved }),
      ALICE_ADDRESS,
    );
    await pair.settle();
    const [ok] = answerTo(peer, 'UPDATE');
    expect(ok?.status).toBe(200);
    expect(ok?.to.tag).toBe(invite.from.tag);
    expect(ok?.header('content-type')).toBe('application/sdp');
    expect(ok?.bodyText).toContain('m=audio');
    expect(pair.alice.media.lastMedia).toMatchObject({ remoteRtp: { port: 31000 } });
    expect(call.state).toBe('early');
  });

  it('with an offer before our offer has any answer: 491 (RFC 3311 §5.2); without a body: 200', async () => {
    const { pair, peer, invite } = await ringing();
    peer.reply(invite, 180, { toTag: 'a' });
    await pair.settle();
    peer.sendText(
      inEarlyDialog(invite, 'a', 'UPDATE', { type: 'application/sdp', text: PCMU_OFFER }),
      ALICE_ADDRESS,
    );
    peer.sendText(inEarlyDialog(invite, 'a', 'UPDATE'), ALICE_ADDRESS);
    await pair.settle();
    expect(answerTo(peer, 'UPDATE').map((response) => response.status)).toEqual([491, 200]);
  });

  it('on a second fork too, and the call still connects through the 2xx of either', async () => {
    const { pair, peer, call, invite } = await ringing();
    peer.reply(invite, 183, { toTag: 'a', sdp: PCMU_ANSWER });
    peer.reply(invite, 180, { toTag: 'b' });
    await pair.settle();
    peer.sendText(inEarlyDialog(invite, 'b', 'UPDATE'), ALICE_ADDRESS);
    await pair.settle();
    expect(answerTo(peer, 'UPDATE').map((response) => response.status)).toEqual([200]);
    peer.reply(invite, 200, { toTag: 'b', sdp: PCMU_ANSWER });
    await pair.settle();
    expect(call.state).toBe('connected');
  });
});

describe('INFO in an early dialog of our call', () => {
  it('INFO DTMF is answered 200 and becomes a dtmf event; another body type gets 415', async () => {
    const { pair, peer, call, invite } = await ringing();
    const digits: string[] = [];
    call.on('dtmf', ({ digit }) => digits.push(digit));
    peer.reply(invite, 180, { toTag: 'a' });
    await pair.settle();
    peer.sendText(
      inEarlyDialog(invite, 'a', 'INFO', {
        type: 'application/dtmf-relay',
        text: 'Signal=7\r\nDuration=160\r\n',
      }),
      ALICE_ADDRESS,
    );
    peer.sendText(inEarlyDialog(invite, 'a', 'INFO', { type: 'text/plain', text: 'hello' }), ALICE_ADDRESS);
    await pair.settle();
    expect(answerTo(peer, 'INFO').map((response) => response.status)).toEqual([200, 415]);
    expect(digits).toEqual(['7']);
  });

  it('a request for an early dialog of a call that is over still gets 481', async () => {
    const { pair, peer, call, invite } = await ringing();
    peer.reply(invite, 180, { toTag: 'a' });
    await pair.settle();
    peer.reply(invite, 486, { toTag: 'a' });
    await pair.settle();
    expect(call.state).toBe('ended');
    peer.sendText(
      inEarlyDialog(invite, 'a', 'INFO', { type: 'application/dtmf-relay', text: 'Signal=1\r\n' }),
      ALICE_ADDRESS,
    );
    await pair.settle();
    expect(answerTo(peer, 'INFO').map((response) => response.status)).toEqual([481]);
  });
});
