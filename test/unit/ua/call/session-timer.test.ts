// RFC 4028 session timers on calls: the 2xx names the refresher, the refresher re-INVITEs at half the interval,
// the other side BYEs when no refresh came by the interval minus min(32 s, interval/3), and 422 with Min-SE both ways.
import { afterEach, describe, expect, it } from 'vitest';
import type { SipResponse } from '../../../../main/sip/message/message';
import { parseUri, type SipUri } from '../../../../main/sip/message/uri';
import { expiryDelayMs, parseMinSe, parseSessionExpires } from '../../../../main/ua/call/session-timer';
import { PCMU_ANSWER, PCMU_OFFER, ScriptedPeer } from '../../../support/scripted-peer';
import { BOB_ADDRESS, type UaPair, type UaPairOptions, startUaPair } from '../../../support/ua-pair';

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

let sequence = 500;
function invite(headers: string[]): string {
  sequence += 1;
  return [
    `INVITE sip:bob@${BOB_ADDRESS}:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-st-${sequence}`,
    'Max-Forwards: 70',
    `From: <sip:peer@10.0.0.9:5060>;tag=st${sequence}`,
    `To: <sip:bob@${BOB_ADDRESS}:5060>`,
    `Call-ID: st-call-${sequence}`,
    'CSeq: 1 INVITE',
    'Contact: <sip:peer@10.0.0.9:5060>',
    ...headers,
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(PCMU_OFFER)}`,
    '',
    PCMU_OFFER,
  ].join('\r\n');
}

function ack(response: SipResponse): string {
  return [
    `ACK sip:bob@${BOB_ADDRESS}:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-ack-${response.cseq.seq}-${sequence}`,
    'Max-Forwards: 70',
    `From: ${response.header('from')}`,
    `To: ${response.header('to')}`,
    `Call-ID: ${response.callId}`,
    `CSeq: ${response.cseq.seq} ACK`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

/** The peer calls bob with these headers; bob answers; the peer ACKs. Returns bob's 2xx. */
async function answeredWith(
  headers: string[],
): Promise<{ pair: UaPair; peer: ScriptedPeer; ok: SipResponse }> {
  pair = await startUaPair();
  peer = await ScriptedPeer.start(pair.network, '10.0.0.9');
  const thePeer = peer;
  peer.sendText(invite(headers), BOB_ADDRESS);
  await pair.settle();
  pair.bob.incoming[0]!.answer();
  await pair.settle();
  const ok = peer.responses().find((response) => response.status === 200)!;
  peer.sendText(ack(ok), BOB_ADDRESS);
  await pair.settle();
  peer.autoRespond((request) => {
    if (request.method === 'INVITE')
      thePeer.reply(request, 200, { sdp: PCMU_ANSWER, headers: [['Session-Expires', '90;refresher=uas']] });
    else if (request.method === 'BYE') thePeer.reply(request, 200);
  });
  return { pair, peer, ok };
}

describe('Session-Expires and Min-SE', () => {
  it('parses the interval and refresher, and tells malformed from absent', () => {
    expect(parseSessionExpires('1800;refresher=uac')).toEqual({ seconds: 1800, refresher: 'uac' });
    expect(parseSessionExpires('90 ; Refresher = UAS')).toEqual({ seconds: 90, refresher: 'uas' });
    expect(parseSessionExpires('600;refresher=other')).toEqual({ seconds: 600 });
    expect(parseSessionExpires('soon')).toBe('malformed');
    expect(parseSessionExpires(undefined)).toBeUndefined();
    expect(parseMinSe('90')).toBe(90);
    expect(parseMinSe('x')).toBeUndefined();
    expect(expiryDelayMs(90)).toBe(60_000);
    expect(expiryDelayMs(1800)).toBe(1_768_000);
  });
});

describe('session timers as the answerer', () => {
  it('a caller that supports timers refreshes (refresher=uac, Require: timer); silence ends the call at 60 s of 90', async () => {
    const { pair, peer, ok } = await answeredWith(['Supported: timer', 'Session-Expires: 90']);
    expect(ok.header('session-expires')).toBe('90;refresher=uac');
    expect(ok.header('require')).toBe('timer');
    const callee = pair.bob.incoming[0]!;
    await pair.pass(59_999);
    expect(callee.state).toBe('connected');
    expect(peer.requests('INVITE')).toHaveLength(0);
    await pair.pass(1);
    expect(peer.requests('BYE')).toHaveLength(1);
    expect(callee.end).toEqual({ by: 'error', reason: 'session-expired' });
  });

  it('a refresh from the caller before expiry keeps the call', async () => {
    const { pair, peer, ok } = await answeredWith(['Supported: timer', 'Session-Expires: 90']);
    await pair.pass(45_000);
    const refresh = invite(['Supported: timer', 'Session-Expires: 90;refresher=uac'])
      .replace(/From: .*/, `From: ${ok.header('from')}`)
      .replace(/To: .*/, `To: ${ok.header('to')}`)
      .replace(/Call-ID: .*/, `Call-ID: ${ok.callId}`)
      .replace('CSeq: 1 INVITE', 'CSeq: 2 INVITE');
    peer.sendText(refresh, BOB_ADDRESS);
    await pair.settle();
    const answer = peer.responses().at(-1)!;
    expect(answer.status).toBe(200);
    expect(answer.header('session-expires')).toBe('90;refresher=uac');
    peer.sendText(ack(answer), BOB_ADDRESS);
    await pair.pass(59_000);
    expect(pair.bob.incoming[0]!.state).toBe('connected');
    await pair.pass(2_000);
    expect(pair.bob.incoming[0]!.end).toMatchObject({ reason: 'session-expired' });
  });

  it('a caller without timer support leaves the refreshing to us: re-INVITE at 45 s of 90', async () => {
    const { pair, peer, ok } = await answeredWith(['Session-Expires: 90']);
    expect(ok.header('session-expires')).toBe('90;refresher=uas');
    expect(ok.header('require')).toBeUndefined();
    await pair.pass(44_999);
    expect(peer.requests('INVITE')).toHaveLength(0);
    await pair.pass(1);
    const refresh = peer.lastRequest('INVITE');
    expect(refresh.header('session-expires')).toBe('90;refresher=uac');
    // The refresh is an ordinary re-offer of the same session (same o= session id, same RTP port).
    const session = (text: string) => /o=- (\d+) /.exec(text)![1];
    expect(session(refresh.bodyText)).toBe(session(ok.bodyText));
    expect(refresh.bodyText).toContain('m=audio 40000');
    await pair.settle();
    expect(peer.requests('ACK')).toHaveLength(1);
    // The peer's 2xx said refresher=uas (itself): from now on we only watch for its refreshes.
    await pair.pass(59_999);
    expect(peer.requests('INVITE')).toHaveLength(1);
    expect(pair.bob.incoming[0]!.state).toBe('connected');
    await pair.pass(1);
    expect(pair.bob.incoming[0]!.end).toMatchObject({ reason: 'session-expired' });
  });

  it('a caller that supports timers but asked for none is offered ours: 1800;refresher=uac with Require: timer', async () => {
    const { ok } = await answeredWith(['Supported: timer']);
    expect(ok.header('session-expires')).toBe('1800;refresher=uac');
    expect(ok.header('require')).toBe('timer');
  });

  it('our offered interval never goes below the Min-SE the caller sent', async () => {
    const { ok } = await answeredWith(['Supported: timer', 'Min-SE: 3600']);
    expect(ok.header('session-expires')).toBe('3600;refresher=uac');
  });

  it('a caller without timer support that asked for none gets no Session-Expires', async () => {
    const { pair, peer, ok } = await answeredWith([]);
    expect(ok.header('session-expires')).toBeUndefined();
    await pair.pass(3_600_000);
    expect(peer.requests('INVITE')).toHaveLength(0);
    expect(pair.bob.incoming[0]!.state).toBe('connected');
  });

  it('an interval below 90 s gets 422 with Min-SE: 90 and no call surfaces', async () => {
    pair = await startUaPair();
    peer = await ScriptedPeer.start(pair.network, '10.0.0.9');
    peer.sendText(invite(['Session-Expires: 30']), BOB_ADDRESS);
    await pair.settle();
    const refusal = peer.responses().at(-1)!;
    expect(refusal.status).toBe(422);
    expect(refusal.header('min-se')).toBe('90');
    expect(pair.bob.incoming).toHaveLength(0);
  });
});

describe('session timers as the caller', () => {
  async function calling(options: UaPairOptions = {}) {
    pair = await startUaPair(options);
    peer = await ScriptedPeer.start(pair.network, '10.0.0.9');
    const call = pair.alice.calls.dial(uri(peer.uri));
    await pair.settle();
    return { pair, peer, call, invite: peer.lastRequest('INVITE') };
  }

  it('our INVITE says Supported: timer; a 2xx naming us refresher makes us re-INVITE at half the interval', async () => {
    const { pair, peer, call, invite } = await calling();
    expect(invite.header('supported')).toContain('timer');
    peer.reply(invite, 200, {
      toTag: 'a',
      sdp: PCMU_ANSWER,
      headers: [
        ['Session-Expires', '120;refresher=uac'],
        ['Require', 'timer'],
      ],
    });
    peer.autoRespond((request) => {
      if (request.method === 'INVITE')
        peer!.reply(request, 200, { sdp: PCMU_ANSWER, headers: [['Session-Expires', '120;refresher=uac']] });
    });
    await pair.pass(60_000);
    const refresh = peer.lastRequest('INVITE');
    expect(refresh).not.toBe(invite);
    expect(refresh.header('session-expires')).toBe('120;refresher=uac');
    await pair.pass(60_000);
    expect(peer.requests('INVITE')).toHaveLength(3);
    expect(call.state).toBe('connected');
  });

  it('answers a 422 with the Min-SE asked for, at most twice', async () => {
    const { pair, peer, call, invite } = await calling();
    peer.reply(invite, 422, { toTag: 'x', headers: [['Min-SE', '300']] });
    await pair.settle();
    const again = peer.lastRequest('INVITE');
    expect(again.cseq.seq).toBe(invite.cseq.seq + 1);
    expect(again.header('session-expires')).toBe('300');
    expect(again.header('min-se')).toBe('300');
    peer.reply(again, 422, { toTag: 'x', headers: [['Min-SE', '600']] });
    await pair.settle();
    peer.reply(peer.lastRequest('INVITE'), 422, { toTag: 'x', headers: [['Min-SE', '900']] });
    await pair.settle();
    expect(peer.requests('INVITE')).toHaveLength(3);
    expect(call.end).toMatchObject({ reason: 'session-interval-too-small', status: 422 });
  });

  it('our INVITE asks for a timer (Session-Expires: 1800, no refresher, no Min-SE at the default 90)', async () => {
    const { invite } = await calling();
    expect(invite.header('session-expires')).toBe('1800');
    expect(invite.header('min-se')).toBeUndefined();
  });

  it('a far end without timer support answers without Session-Expires: no refresh ever goes', async () => {
    const { pair, peer, call, invite } = await calling();
    peer.reply(invite, 200, { toTag: 'a', sdp: PCMU_ANSWER });
    await pair.pass(3_600_000);
    expect(peer.requests('INVITE')).toHaveLength(1);
    expect(call.state).toBe('connected');
  });

  it('sessionExpires: 0 asks for none; minSessionExpires below 90 is stated as Min-SE', async () => {
    for (const sessionExpires of [0, Number.NaN, 1.5]) {
      const none = await calling({ alice: { sessionExpires } });
      expect(none.invite.header('session-expires')).toBeUndefined();
      await pair?.close();
      peer?.close();
    }
    const short = await calling({ alice: { minSessionExpires: 4 } });
    expect(short.invite.header('session-expires')).toBe('1800');
    expect(short.invite.header('min-se')).toBe('4');
  });

  it('with a short minimum, a short interval in the 2xx is kept: refreshes every 2 s of 4', async () => {
    const { pair, peer, call, invite } = await calling({ alice: { minSessionExpires: 4 } });
    peer.reply(invite, 200, {
      toTag: 'a',
      sdp: PCMU_ANSWER,
      headers: [['Session-Expires', '4;refresher=uac']],
    });
    peer.autoRespond((request) => {
      if (request.method === 'INVITE')
        peer!.reply(request, 200, { sdp: PCMU_ANSWER, headers: [['Session-Expires', '4;refresher=uac']] });
    });
    await pair.pass(1_999);
    expect(peer.requests('INVITE')).toHaveLength(1);
    await pair.pass(1);
    expect(peer.lastRequest('INVITE').header('session-expires')).toBe('4;refresher=uac');
    await pair.pass(2_000);
    expect(peer.requests('INVITE')).toHaveLength(3);
    expect(call.state).toBe('connected');
  });
});

describe('our minimum interval as the answerer (minSessionExpires)', () => {
  it('accepts an interval down to the configured minimum and refuses below it with that Min-SE', async () => {
    pair = await startUaPair({ bob: { minSessionExpires: 10 } });
    peer = await ScriptedPeer.start(pair.network, '10.0.0.9');
    peer.sendText(invite(['Supported: timer', 'Session-Expires: 9']), BOB_ADDRESS);
    await pair.settle();
    expect(peer.responses().at(-1)).toMatchObject({ status: 422 });
    expect(peer.responses().at(-1)!.header('min-se')).toBe('10');
    peer.sendText(invite(['Supported: timer', 'Session-Expires: 10']), BOB_ADDRESS);
    await pair.settle();
    pair.bob.incoming[0]!.answer();
    await pair.settle();
    expect(peer.responses().at(-1)!.header('session-expires')).toBe('10;refresher=uac');
  });
});

describe('refreshing with UPDATE when the far end allows it (RFC 4028 §9)', () => {
  const ALLOW = ['Allow', 'INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE'] as const;

  /** Alice calls the peer; its 2xx names alice refresher for 120 s and lists `allow`. */
  async function refresherOf(allow: readonly [string, string] | undefined) {
    pair = await startUaPair();
    peer = await ScriptedPeer.start(pair.network, '10.0.0.9');
    const call = pair.alice.calls.dial(uri(peer.uri));
    await pair.settle();
    const invite = peer.lastRequest('INVITE');
    peer.reply(invite, 200, {
      toTag: 'a',
      sdp: PCMU_ANSWER,
      headers: [['Session-Expires', '120;refresher=uac'], ['Require', 'timer'], ...(allow ? [allow] : [])],
    });
    await pair.settle();
    return { pair, peer, call };
  }

  it('sends an UPDATE without SDP at half the interval, keeping the refresher, and no re-INVITE', async () => {
    const { pair, peer, call } = await refresherOf(ALLOW);
    peer.autoRespond((request) => {
      if (request.method === 'UPDATE')
        peer!.reply(request, 200, {
          headers: [
            ['Session-Expires', '120;refresher=uac'],
            ['Require', 'timer'],
          ],
        });
    });
    await pair.pass(59_999);
    expect(peer.requests('UPDATE')).toHaveLength(0);
    await pair.pass(1);
    const update = peer.lastRequest('UPDATE');
    expect(update.header('session-expires')).toBe('120;refresher=uac');
    expect(update.header('supported')).toContain('timer');
    expect(update.body.length).toBe(0);
    expect(update.header('content-type')).toBeUndefined();
    // A target refresh request (RFC 3311 §5.1) carries our Contact.
    expect(update.header('contact')).toBeDefined();
    await pair.pass(60_000);
    expect(peer.requests('UPDATE')).toHaveLength(2);
    expect(peer.requests('INVITE')).toHaveLength(1);
    expect(peer.requests('ACK')).toHaveLength(1);
    expect(call.state).toBe('connected');
  });

  it('keeps re-INVITE when the Allow does not list UPDATE, or when there is no Allow at all', async () => {
    for (const allow of [['Allow', 'INVITE, ACK, CANCEL, BYE'] as const, undefined]) {
      const { pair, peer } = await refresherOf(allow);
      peer.autoRespond((request) => {
        if (request.method === 'INVITE')
          peer!.reply(request, 200, {
            sdp: PCMU_ANSWER,
            headers: [['Session-Expires', '120;refresher=uac']],
          });
      });
      await pair.pass(60_000);
      expect(peer.requests('INVITE')).toHaveLength(2);
      expect(peer.requests('UPDATE')).toHaveLength(0);
      await pair.close();
      peer.close();
    }
  });

  it('falls back to re-INVITE when the far end answers the UPDATE 405 after all', async () => {
    const { pair, peer, call } = await refresherOf(ALLOW);
    peer.autoRespond((request) => {
      if (request.method === 'UPDATE')
        peer!.reply(request, 405, { headers: [['Allow', 'INVITE, ACK, BYE']] });
      else if (request.method === 'INVITE')
        peer!.reply(request, 200, { sdp: PCMU_ANSWER, headers: [['Session-Expires', '120;refresher=uac']] });
    });
    await pair.pass(60_000);
    expect(peer.requests('UPDATE')).toHaveLength(1);
    // The failed refresh is retried after the Refresher's short backoff (2–16 s), now as a re-INVITE.
    await pair.pass(16_000);
    expect(peer.requests('INVITE')).toHaveLength(2);
    expect(peer.requests('UPDATE')).toHaveLength(1);
    expect(call.state).toBe('connected');
  });

  it('takes the Min-SE of a 422 to the UPDATE as the interval', async () => {
    const { pair, peer } = await refresherOf(ALLOW);
    peer.autoRespond((request) => {
      if (request.method !== 'UPDATE') return;
      if (peer!.requests('UPDATE').length === 1) peer!.reply(request, 422, { headers: [['Min-SE', '300']] });
      else peer!.reply(request, 200, { headers: [['Session-Expires', '300;refresher=uac']] });
    });
    await pair.pass(60_000);
    expect(peer.requests('UPDATE')).toHaveLength(1);
    // The interval is now 300 s: the next refresh goes at half of it, and asks for 300.
    await pair.pass(150_000);
    expect(peer.requests('UPDATE').length).toBeGreaterThanOrEqual(2);
    expect(peer.lastRequest('UPDATE').header('session-expires')).toBe('300;refresher=uac');
  });

  it('ends the call when the UPDATE gets 481: the dialog is gone', async () => {
    const { pair, peer, call } = await refresherOf(ALLOW);
    peer.autoRespond((request) => {
      if (request.method === 'UPDATE') peer!.reply(request, 481);
    });
    await pair.pass(60_000);
    expect(peer.requests('UPDATE')).toHaveLength(1);
    expect(call.state).toBe('ended');
    expect(call.end).toMatchObject({ status: 481 });
  });

  it('as the answerer, refreshes a caller whose INVITE allowed UPDATE with an UPDATE', async () => {
    const { pair, peer } = await answeredWith([
      'Session-Expires: 90',
      'Allow: INVITE, ACK, BYE, CANCEL, UPDATE',
    ]);
    peer.autoRespond((request) => {
      if (request.method === 'UPDATE')
        peer!.reply(request, 200, { headers: [['Session-Expires', '90;refresher=uas']] });
    });
    await pair.pass(45_000);
    const update = peer.lastRequest('UPDATE');
    expect(update.header('session-expires')).toBe('90;refresher=uac');
    expect(peer.requests('INVITE')).toHaveLength(0);
  });
});
