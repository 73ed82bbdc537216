// RFC 3262 reliable provisionals: we PRACK a 1xx that requires 100rel (once per RSeq), and send ours reliably when a
// caller requires it: resent at T1 doubling until PRACKed, refused with 504 after 64·T1, and a 2xx that waits for
// the PRACK of a 1xx that carried SDP.
import { afterEach, describe, expect, it } from 'vitest';
import type { SipResponse } from '../../../../main/sip/message/message';
import { parseUri, type SipUri } from '../../../../main/sip/message/uri';
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

async function start(options: UaPairOptions = {}) {
  pair = await startUaPair(options);
  peer = await ScriptedPeer.start(pair.network, '10.0.0.9');
  return { pair, peer };
}

describe('as caller', () => {
  it('PRACKs a reliable 180 in its early dialog, once per RSeq', async () => {
    const { pair, peer } = await start();
    const call = pair.alice.calls.dial(uri(peer.uri));
    await pair.settle();
    const invite = peer.lastRequest('INVITE');
    expect(invite.header('supported')).toContain('100rel');
    const reliable = {
      toTag: 'r',
      headers: [
        ['Require', '100rel'],
        ['RSeq', '7'],
      ] as Array<[string, string]>,
    };
    peer.reply(invite, 180, reliable);
    await pair.settle();
    const prack = peer.lastRequest('PRACK');
    expect(prack.header('rack')).toBe(`7 ${invite.cseq.seq} INVITE`);
    expect(prack.to.tag).toBe('r');
    expect(prack.cseq.seq).toBe(invite.cseq.seq + 1);
    peer.reply(prack, 200);
    peer.reply(invite, 180, reliable);
    await pair.settle();
    expect(peer.requests('PRACK')).toHaveLength(1);
    peer.reply(invite, 183, {
      toTag: 'r',
      headers: [
        ['Require', '100rel'],
        ['RSeq', '8'],
      ],
      sdp: PCMU_ANSWER,
    });
    await pair.settle();
    expect(peer.requests('PRACK').map((request) => request.header('rack'))).toEqual([
      `7 ${invite.cseq.seq} INVITE`,
      `8 ${invite.cseq.seq} INVITE`,
    ]);
    expect(pair.alice.media.lastKinds).toEqual(['start']);
    peer.reply(invite, 200, { toTag: 'r', sdp: PCMU_ANSWER });
    await pair.settle();
    expect(call.state).toBe('connected');
    call.hangup();
    await pair.settle();
    // The BYE comes after the two PRACKs in the dialog's CSeq space.
    expect(peer.lastRequest('BYE').cseq.seq).toBe(invite.cseq.seq + 3);
  });
});

let sequence = 800;
function invite(): string {
  sequence += 1;
  return [
    `INVITE sip:bob@${BOB_ADDRESS}:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-rel-${sequence}`,
    'Max-Forwards: 70',
    `From: <sip:peer@10.0.0.9:5060>;tag=rel${sequence}`,
    `To: <sip:bob@${BOB_ADDRESS}:5060>`,
    `Call-ID: rel-call-${sequence}`,
    'CSeq: 1 INVITE',
    'Contact: <sip:peer@10.0.0.9:5060>',
    'Require: 100rel',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(PCMU_OFFER)}`,
    '',
    PCMU_OFFER,
  ].join('\r\n');
}

function prack(response: SipResponse, rseq = response.header('rseq')): string {
  return [
    `PRACK sip:bob@${BOB_ADDRESS}:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-prack-${sequence}-${rseq}`,
    'Max-Forwards: 70',
    `From: ${response.header('from')}`,
    `To: ${response.header('to')}`,
    `Call-ID: ${response.callId}`,
    'CSeq: 2 PRACK',
    `RAck: ${rseq} 1 INVITE`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

function provisionals(peer: ScriptedPeer): SipResponse[] {
  return peer.responses().filter((response) => response.status > 100 && response.status < 200);
}

describe('as callee', () => {
  it('sends 180 with Require: 100rel and RSeq, resends it at T1 doubling until the PRACK', async () => {
    const { pair, peer } = await start();
    peer.sendText(invite(), BOB_ADDRESS);
    await pair.settle();
    const ringing = provisionals(peer)[0]!;
    expect(ringing.header('require')).toBe('100rel');
    expect(Number(ringing.header('rseq'))).toBeGreaterThan(0);
    await pair.pass(1_600);
    const resent = pair.network.trace
      .filter((entry) => entry.text.startsWith('SIP/2.0 180') && entry.to.address === '10.0.0.9')
      .map((entry) => entry.sentAt);
    expect(resent).toEqual([0, 500, 1500]);
    peer.sendText(prack(ringing), BOB_ADDRESS);
    await pair.settle();
    expect(peer.responses().at(-1)).toMatchObject({ status: 200 });
    expect(peer.responses().at(-1)!.cseq.method).toBe('PRACK');
    await pair.pass(10_000);
    expect(provisionals(peer)).toHaveLength(3);
    pair.bob.incoming[0]!.answer();
    await pair.settle();
    expect(peer.responses().at(-1)).toMatchObject({ status: 200 });
    expect(peer.responses().at(-1)!.cseq.method).toBe('INVITE');
  });

  it('a PRACK naming another RSeq gets 481', async () => {
    const { pair, peer } = await start();
    peer.sendText(invite(), BOB_ADDRESS);
    await pair.settle();
    const ringing = provisionals(peer)[0]!;
    peer.sendText(prack(ringing, String(Number(ringing.header('rseq')) + 5)), BOB_ADDRESS);
    await pair.settle();
    expect(peer.responses().at(-1)).toMatchObject({ status: 481 });
  });

  it('never PRACKed within 64·T1: the INVITE is refused with 504', async () => {
    const { pair, peer } = await start();
    peer.sendText(invite(), BOB_ADDRESS);
    await pair.settle();
    const call = pair.bob.incoming[0]!;
    await pair.pass(32_000);
    expect(peer.responses().at(-1)).toMatchObject({ status: 504 });
    expect(call.end).toMatchObject({ by: 'error', reason: 'no-ack', status: 504 });
  });

  it('with early media the 2xx waits for the PRACK of the 183 that carried our SDP', async () => {
    const { pair, peer } = await start({ bob: { earlyMedia: true } });
    peer.sendText(invite(), BOB_ADDRESS);
    await pair.settle();
    const progress = provisionals(peer)[0]!;
    expect(progress.status).toBe(183);
    const call = pair.bob.incoming[0]!;
    expect(call.answer()).toBe(true);
    await pair.settle();
    expect(peer.responses().some((response) => response.status === 200)).toBe(false);
    peer.sendText(prack(progress), BOB_ADDRESS);
    await pair.settle();
    const finals = peer
      .responses()
      .filter((response) => response.status === 200)
      .map((r) => r.cseq.method);
    expect(finals).toEqual(['PRACK', 'INVITE']);
    expect(call.state).toBe('connecting');
  });
});
