// RFC 3515 blind transfer between two agents, with a scripted peer as the target: alice REFERs bob to the peer; bob
// accepts (202), calls the peer with Referred-By and reports by NOTIFY (message/sipfrag); alice hangs up when the
// peer answered, or hears of the failure.
import { afterEach, describe, expect, it } from 'vitest';
import { parseUri, type SipUri } from '../../../../main/sip/message/uri';
import type { Call } from '../../../../main/ua/call/call';
import type { TransferEvent } from '../../../../main/ua/call/call-events';
import { parseReplaces, readReferTo, readSipfragStatus } from '../../../../main/ua/call/refer';
import { PCMU_ANSWER, ScriptedPeer } from '../../../support/scripted-peer';
import { type UaPair, startUaPair } from '../../../support/ua-pair';

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

async function connected() {
  pair = await startUaPair();
  peer = await ScriptedPeer.start(pair.network, '10.0.0.9');
  const caller = pair.alice.calls.dial(pair.bob.uri);
  await pair.settle();
  const callee = pair.bob.incoming[0]!;
  callee.answer();
  await pair.settle();
  const events = { alice: [] as TransferEvent[], bob: [] as TransferEvent[] };
  caller.on('transfer', (event) => events.alice.push(event));
  callee.on('transfer', (event) => events.bob.push(event));
  return { pair, peer, caller, callee, events };
}

function sipfrags(pair: UaPair): string[] {
  return pair.network.trace
    .filter((entry) => entry.text.startsWith('NOTIFY ') && entry.from.address === '10.0.0.2')
    .map((entry) => /\r\n\r\n(SIP\/2\.0 \d{3} [^\r]*)/.exec(entry.text)![1]!);
}

describe('blind transfer', () => {
  it('REFER → 202, NOTIFY 100/180/200; the transferor hangs up with reason transferred', async () => {
    const { pair, peer, caller, callee, events } = await connected();
    expect(caller.transfer(uri(`sip:carol@10.0.0.9:5060`))).toBe(true);
    await pair.settle();
    const invite = peer.lastRequest('INVITE');
    expect(invite.requestUri).toMatchObject({ user: 'carol', host: '10.0.0.9' });
    expect(invite.header('referred-by')).toBe('<sip:anonymous@10.0.0.1:5060>');
    const referred = (events.bob[0] as { call: Call }).call;
    expect(referred.direction).toBe('outgoing');
    peer.reply(invite, 180, { toTag: 'c' });
    await pair.settle();
    peer.autoRespond((request) => {
      if (request.method === 'BYE') peer.reply(request, 200);
    });
    peer.reply(invite, 200, { toTag: 'c', sdp: PCMU_ANSWER });
    await pair.settle();
    expect(sipfrags(pair)).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 180 Ringing', 'SIP/2.0 200 OK']);
    const lastNotify = pair.network.trace.filter((entry) => entry.text.startsWith('NOTIFY ')).at(-1)!;
    expect(lastNotify.text).toContain('Subscription-State: terminated;reason=noresource');
    expect(lastNotify.text).toContain('Content-Type: message/sipfrag;version=2.0');
    expect(
      events.alice.map((event) => (event.role === 'transferor' ? `${event.state} ${event.status}` : '')),
    ).toEqual(['accepted 202', 'progress 100', 'progress 180', 'succeeded 200']);
    expect(caller.end).toEqual({ by: 'local', reason: 'transferred' });
    expect(callee.end).toEqual({ by: 'remote', reason: 'normal' });
    expect(referred.state).toBe('connected');
  });

  it('a target that is busy: the final NOTIFY says 486 and the transferor keeps its call', async () => {
    const { pair, peer, caller, events } = await connected();
    caller.transfer(uri(`sip:carol@10.0.0.9:5060`));
    await pair.settle();
    peer.reply(peer.lastRequest('INVITE'), 486, { toTag: 'c' });
    await pair.settle();
    expect(sipfrags(pair)).toEqual(['SIP/2.0 100 Trying', 'SIP/2.0 486 Busy Here']);
    expect(events.alice.at(-1)).toEqual({ role: 'transferor', state: 'failed', status: 486 });
    expect(caller.state).toBe('connected');
  });

  it('refuses a second transfer while one is pending; reads Refer-To and sipfrag defensively', async () => {
    const { pair, caller } = await connected();
    expect(caller.transfer(uri('sip:carol@10.0.0.9:5060'))).toBe(true);
    expect(caller.transfer(uri('sip:dave@10.0.0.9:5060'))).toBe(false);
    await pair.settle();
    expect(readReferTo('<tel:+123>')).toBeUndefined();
    expect(readReferTo('<sip:x@10.0.0.5?Subject=hi>')).toEqual({
      target: expect.objectContaining({ user: 'x', host: '10.0.0.5', headers: new Map() }),
    });
    expect(readReferTo('<sip:x@10.0.0.5?Replaces=abc%3Bto-tag%3D1%3Bfrom-tag%3D2>')).toMatchObject({
      replaces: 'abc;to-tag=1;from-tag=2',
    });
    expect(parseReplaces('abc;from-tag=2;to-tag=1;early-only')).toEqual({
      callId: 'abc',
      toTag: '1',
      fromTag: '2',
      earlyOnly: true,
    });
    expect(parseReplaces('abc;to-tag=1')).toBeUndefined();
    expect(readSipfragStatus('SIP/2.0 603 Declined\r\n')).toBe(603);
    expect(readSipfragStatus('hello')).toBeUndefined();
  });
});

describe('attended transfer (RFC 3891)', () => {
  it('transferTo(other) REFERs with ?Replaces=; the transferee INVITEs the target with Replaces and Require', async () => {
    const { pair, peer, caller } = await connected();
    const second = pair.alice.calls.dial(uri('sip:carol@10.0.0.9:5060'));
    await pair.settle();
    const first = peer.lastRequest('INVITE');
    peer.reply(first, 200, { toTag: 'c', sdp: PCMU_ANSWER });
    await pair.settle();
    expect(second.state).toBe('connected');
    expect(caller.transferTo(second)).toBe(true);
    await pair.settle();
    const refer = pair.network.trace.find((entry) => entry.text.startsWith('REFER '))!;
    expect(refer.text).toMatch(
      /Refer-To: <sip:peer@10\.0\.0\.9:5060\?Replaces=[^>]*%3Bto-tag%3Dc%3Bfrom-tag%3D/,
    );
    const invite = peer.lastRequest('INVITE');
    expect(invite).not.toBe(first);
    expect(invite.header('replaces')).toBe(`${first.callId};to-tag=c;from-tag=${first.from.tag}`);
    expect(invite.header('require')).toBe('replaces');
  });

  it('transfer(target, replaces) REFERs to a dialog another agent holds, with the Replaces given', async () => {
    const { pair, peer, caller } = await connected();
    const replaces = 'consult-1@10.0.0.7;to-tag=carol-tag;from-tag=dave-tag';
    expect(caller.transfer(uri('sip:carol@10.0.0.9:5060'), replaces)).toBe(true);
    await pair.settle();
    const refer = pair.network.trace.find((entry) => entry.text.startsWith('REFER '))!;
    const referTo = readReferTo(/Refer-To: (.*)\r\n/.exec(refer.text)![1]);
    expect(referTo?.replaces).toBe(replaces);
    expect(referTo?.target).toMatchObject({ user: 'carol', host: '10.0.0.9' });
    // bob, the transferee, calls carol with that Replaces.
    const invite = peer.lastRequest('INVITE');
    expect(invite.header('replaces')).toBe(replaces);
    expect(invite.header('require')).toBe('replaces');
  });

  it('transfer(target, replaces) keeps early-only and refuses a Replaces without both tags, sending nothing', async () => {
    const { pair, caller } = await connected();
    expect(caller.transfer(uri('sip:carol@10.0.0.9:5060'), 'x@h;to-tag=a')).toBe(false);
    expect(caller.transfer(uri('sip:carol@10.0.0.9:5060'), ';to-tag=a;from-tag=b')).toBe(false);
    await pair.settle();
    expect(pair.network.trace.some((entry) => entry.text.startsWith('REFER '))).toBe(false);
    expect(caller.transfer(uri('sip:carol@10.0.0.9:5060'), 'x@h;early-only;from-tag=b;to-tag=a')).toBe(true);
    await pair.settle();
    const refer = pair.network.trace.find((entry) => entry.text.startsWith('REFER '))!;
    expect(readReferTo(/Refer-To: (.*)\r\n/.exec(refer.text)![1])?.replaces).toBe(
      'x@h;to-tag=a;from-tag=b;early-only',
    );
  });

  it('an INVITE whose Replaces names a call that is up is answered at once and the old call BYEd', async () => {
    const { pair, peer, caller, callee } = await connected();
    const replacedBy: Call[] = [];
    callee.on('replaced', (call) => replacedBy.push(call));
    const dialog = callee.dialogId!;
    const body = PCMU_ANSWER.replace('o=peer 1 1', 'o=peer 3 3');
    const text = [
      `INVITE sip:bob@10.0.0.2:5060 SIP/2.0`,
      'Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-replaces-1',
      'Max-Forwards: 70',
      'From: <sip:carol@10.0.0.9:5060>;tag=carol',
      'To: <sip:bob@10.0.0.2:5060>',
      'Call-ID: replacing-call',
      'CSeq: 1 INVITE',
      'Contact: <sip:carol@10.0.0.9:5060>',
      `Replaces: ${dialog.callId};to-tag=${dialog.localTag};from-tag=${dialog.remoteTag}`,
      'Require: replaces',
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
    peer.sendText(text, '10.0.0.2');
    await pair.settle();
    expect(peer.responses().find((response) => response.status === 200)?.cseq.method).toBe('INVITE');
    expect(replacedBy).toHaveLength(1);
    expect(pair.bob.incoming).toHaveLength(1);
    expect(callee.end).toEqual({ by: 'remote', reason: 'replaced' });
    expect(caller.end).toEqual({ by: 'remote', reason: 'normal' });
    // The same INVITE naming a dialog that is gone now gets 481.
    peer.sendText(
      text.replace('replaces-1', 'replaces-2').replace('replacing-call', 'replacing-again'),
      '10.0.0.2',
    );
    await pair.settle();
    expect(peer.responses().at(-1)).toMatchObject({ status: 481 });
  });
});
