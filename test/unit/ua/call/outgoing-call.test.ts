// Outgoing calls (RFC 3261 §13.2, §9.1, §22.2, §8.1.3.4; RFC 6026) from alice's agent to a scripted peer on the
// loopback network, with the manual clock: answer and ACK, 2xx retransmissions re-ACKed, forks, CANCEL and its race
// with the 2xx, digest challenges, redirects, failures as end reasons, Timer B.
import { afterEach, describe, expect, it } from 'vitest';
import type { SipRequest } from '../../../../main/sip/message/message';
import { parseUri, type SipUri } from '../../../../main/sip/message/uri';
import type { Call } from '../../../../main/ua/call/call';
import { PCMU_ANSWER, ScriptedPeer } from '../../../support/scripted-peer';
import { type UaPair, startUaPair } from '../../../support/ua-pair';

const PEER = '10.0.0.9';
const CHALLENGE = 'Digest realm="example.test", nonce="n1", qop="auth", algorithm=MD5';

let pair: UaPair | undefined;
let peers: ScriptedPeer[] = [];
afterEach(async () => {
  for (const peer of peers) peer.close();
  peers = [];
  await pair?.close();
  pair = undefined;
});

function uri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.value as SipUri;
}

async function setUp(address = PEER): Promise<{ pair: UaPair; peer: ScriptedPeer }> {
  pair ??= await startUaPair();
  const peer = await ScriptedPeer.start(pair.network, address);
  peers.push(peer);
  return { pair, peer };
}

function states(call: Call): string[] {
  const seen: string[] = [call.state];
  call.on('state', (change) => seen.push(change.to));
  return seen;
}

async function dialPeer(pair: UaPair, peer: ScriptedPeer): Promise<{ call: Call; invite: SipRequest }> {
  const call = pair.alice.calls.dial(uri(peer.uri));
  await pair.settle();
  return { call, invite: peer.lastRequest('INVITE') };
}

async function answered(): Promise<{ pair: UaPair; peer: ScriptedPeer; call: Call; invite: SipRequest }> {
  const { pair, peer } = await setUp();
  const { call, invite } = await dialPeer(pair, peer);
  peer.reply(invite, 180, { toTag: 'a' });
  peer.reply(invite, 200, { toTag: 'a', sdp: PCMU_ANSWER });
  await pair.settle();
  return { pair, peer, call, invite };
}

describe('an outgoing call', () => {
  it('goes calling → early → connected, ACKs the 2xx itself and starts media with the answer', async () => {
    const { pair, peer } = await setUp();
    const call = pair.alice.calls.dial(uri(peer.uri));
    const seen = states(call);
    await pair.settle();
    const invite = peer.lastRequest('INVITE');
    expect(invite.header('content-type')).toBe('application/sdp');
    expect(invite.contact[0]?.uri).toMatchObject({ host: '10.0.0.1', port: 5060 });
    peer.reply(invite, 180, { toTag: 'a' });
    await pair.settle();
    expect(call.state).toBe('early');
    peer.reply(invite, 200, { toTag: 'a', sdp: PCMU_ANSWER });
    await pair.settle();
    // dial() sends at once: the call is `calling` when it is handed back.
    expect(seen).toEqual(['calling', 'early', 'connected']);
    const ack = peer.lastRequest('ACK');
    expect(ack.cseq).toEqual({ seq: invite.cseq.seq, method: 'ACK' });
    expect(ack.to.tag).toBe('a');
    // §13.2.2.4: the ACK for a 2xx is a transaction of its own, with a new branch.
    expect(ack.topVia?.branch).not.toBe(invite.topVia?.branch);
    expect(pair.alice.media.lastKinds).toEqual(['start']);
    expect(pair.alice.media.lastMedia).toMatchObject({
      remoteRtp: { address: '10.0.0.9', port: 30000 },
      codec: { name: 'pcmu' },
      send: true,
      receive: true,
    });
    expect(call.media?.codec.name).toBe('pcmu');
  });

  it('hands the ACK to the network before it starts the media, so starting the media never delays the ACK', async () => {
    const { pair, peer } = await setUp();
    const { call, invite } = await dialPeer(pair, peer);
    // The transport's trace hook sees each datagram as it is given to the socket.
    let ackGiven = false;
    pair.alice.ua.onTrace((event) => {
      if (event.direction === 'sent' && new TextDecoder().decode(event.bytes).startsWith('ACK '))
        ackGiven = true;
    });
    const ackSent = (): boolean => ackGiven;
    const ackBeforeMedia: boolean[] = [];
    call.on('media', () => ackBeforeMedia.push(ackSent()));
    peer.reply(invite, 200, { toTag: 'a', sdp: PCMU_ANSWER });
    await pair.settle();
    expect(pair.alice.media.lastKinds).toEqual(['start']);
    expect(ackBeforeMedia).toEqual([true]);
  });

  it('re-sends the same ACK for each retransmission of the 2xx (RFC 6026), also after Timer M', async () => {
    const { pair, peer, invite } = await answered();
    const resend = () => peer.reply(invite, 200, { toTag: 'a', sdp: PCMU_ANSWER });
    resend();
    await pair.settle();
    expect(peer.requests('ACK')).toHaveLength(2);
    // Past Timer M the INVITE transaction is gone: the 2xx is a stray for the transaction layer, the call ACKs it.
    await pair.pass(40_000);
    resend();
    await pair.settle();
    const acks = peer.requests('ACK');
    expect(acks).toHaveLength(3);
    expect(new Set(acks.map((ack) => ack.topVia?.branch)).size).toBe(1);
  });

  it('hangup() sends BYE and ends normally once it is answered; media stops', async () => {
    const { pair, peer, call } = await answered();
    peer.autoRespond((request) => peer.reply(request, 200));
    const ended: unknown[] = [];
    call.on('ended', (end) => ended.push(end));
    expect(call.hangup()).toBe(true);
    expect(call.state).toBe('ending');
    await pair.settle();
    const bye = peer.lastRequest('BYE');
    expect(bye.to.tag).toBe('a');
    expect(bye.requestUri).toMatchObject({ host: PEER, user: 'peer' });
    expect(call.state).toBe('ended');
    expect(ended).toEqual([{ by: 'local', reason: 'normal' }]);
    expect(pair.alice.media.lastKinds).toEqual(['start', 'stop']);
    expect(pair.alice.ua.dialogs.size).toBe(0);
    expect(pair.alice.calls.calls).toEqual([]);
  });

  it('keeps the first 2xx among forks; the other fork’s 2xx is ACKed and then BYEd (§13.2.2.4)', async () => {
    const { pair, peer } = await setUp();
    const { call, invite } = await dialPeer(pair, peer);
    peer.reply(invite, 180, { toTag: 'a' });
    peer.reply(invite, 180, { toTag: 'b' });
    await pair.settle();
    expect(pair.alice.ua.dialogs.forked(invite.callId, invite.from.tag!)).toHaveLength(2);
    peer.reply(invite, 200, { toTag: 'b', sdp: PCMU_ANSWER });
    await pair.settle();
    expect(call.state).toBe('connected');
    expect(pair.alice.ua.dialogs.forked(invite.callId, invite.from.tag!).map((d) => d.id.remoteTag)).toEqual([
      'b',
    ]);
    peer.reply(invite, 200, { toTag: 'a', sdp: PCMU_ANSWER });
    await pair.settle();
    const acks = peer.requests('ACK');
    expect(acks.map((ack) => ack.to.tag)).toEqual(['b', 'a']);
    const byes = peer.requests('BYE');
    expect(byes.map((bye) => bye.to.tag)).toEqual(['a']);
    expect(call.state).toBe('connected');
  });

  it('ends with the failure of a final response as data: 486 busy, 603 declined, 488 media-refused, 404', async () => {
    for (const [status, reason] of [
      [486, 'busy'],
      [603, 'declined'],
      [488, 'media-refused'],
      [404, 'not-found'],
      [500, 'server-error'],
    ] as const) {
      const { pair, peer } = await setUp();
      const { call, invite } = await dialPeer(pair, peer);
      peer.reply(invite, 180, { toTag: 'x' });
      peer.reply(invite, status, { toTag: 'x' });
      await pair.settle();
      expect(call.end).toEqual({
        by: 'remote',
        reason,
        status,
        detail: expect.stringContaining(String(status)),
      });
      // The transaction ACKs a non-2xx itself (§17.1.1.3) and the early dialog is gone.
      expect(peer.lastRequest('ACK').cseq.seq).toBe(invite.cseq.seq);
      expect(pair.alice.ua.dialogs.size).toBe(0);
      peer.close();
      peers = [];
    }
  });

  it('Timer B without any answer ends the call with no-answer and a 408', async () => {
    const { pair, peer } = await setUp();
    const { call } = await dialPeer(pair, peer);
    await pair.pass(31_999);
    expect(call.state).toBe('calling');
    await pair.pass(1);
    expect(call.end).toMatchObject({ by: 'remote', reason: 'no-answer', status: 408 });
    expect(pair.alice.media.lastKinds).toEqual(['stop']);
  });

  it('a 2xx that arrives after Timer B ended the call is still ACKed and then BYEd', async () => {
    const { pair, peer } = await setUp();
    const { call, invite } = await dialPeer(pair, peer);
    await pair.pass(32_000);
    expect(call.end).toMatchObject({ reason: 'no-answer' });
    peer.reply(invite, 200, { toTag: 'a', sdp: PCMU_ANSWER });
    await pair.settle();
    expect(peer.requests('ACK').map((ack) => ack.cseq.method)).toEqual(['ACK']);
    expect(peer.lastRequest('BYE').to.tag).toBe('a');
    expect(pair.alice.media.lastKinds).toEqual(['stop']);
  });

  it('hangup() after a provisional sends CANCEL; the 487 ends it as cancelled (§9.1)', async () => {
    const { pair, peer } = await setUp();
    const { call, invite } = await dialPeer(pair, peer);
    peer.reply(invite, 180, { toTag: 'a' });
    await pair.settle();
    call.hangup();
    await pair.settle();
    const cancel = peer.lastRequest('CANCEL');
    expect(cancel.topVia?.branch).toBe(invite.topVia?.branch);
    expect(cancel.cseq).toEqual({ seq: invite.cseq.seq, method: 'CANCEL' });
    peer.reply(cancel, 200, { toTag: 'a' });
    peer.reply(invite, 487, { toTag: 'a' });
    await pair.settle();
    expect(call.end).toMatchObject({ by: 'local', reason: 'cancelled', status: 487 });
  });

  it('a CANCEL asked for before any provisional waits for one (§9.1)', async () => {
    const { pair, peer } = await setUp();
    const { call, invite } = await dialPeer(pair, peer);
    call.hangup();
    await pair.settle();
    expect(peer.requests('CANCEL')).toHaveLength(0);
    peer.reply(invite, 100);
    await pair.settle();
    expect(peer.requests('CANCEL')).toHaveLength(1);
  });

  it('a 2xx that crosses the CANCEL is ACKed and then BYEd; the call ends as cancelled', async () => {
    const { pair, peer } = await setUp();
    const { call, invite } = await dialPeer(pair, peer);
    peer.reply(invite, 180, { toTag: 'a' });
    await pair.settle();
    call.hangup();
    peer.reply(invite, 200, { toTag: 'a', sdp: PCMU_ANSWER });
    await pair.settle();
    const cancel = peer.lastRequest('CANCEL');
    peer.reply(cancel, 200, { toTag: 'a' });
    expect(peer.requests('ACK')).toHaveLength(1);
    const bye = peer.lastRequest('BYE');
    peer.reply(bye, 200);
    await pair.settle();
    expect(call.end).toMatchObject({ by: 'local', reason: 'cancelled' });
  });

  it('hangup() before the INVITE left ends at once, without any request', async () => {
    const { pair, peer } = await setUp();
    const call = pair.alice.calls.dial(uri(peer.uri));
    call.hangup();
    await pair.settle();
    expect(call.end).toEqual({ by: 'local', reason: 'cancelled' });
    expect(peer.received).toHaveLength(0);
  });

  it('an answer in the 2xx it cannot use is ACKed, then the call is BYEd with media-refused', async () => {
    const { pair, peer } = await setUp();
    const { call, invite } = await dialPeer(pair, peer);
    peer.autoRespond((request) => {
      if (request.method === 'BYE') peer.reply(request, 200);
    });
    peer.reply(invite, 200, {
      toTag: 'a',
      sdp: PCMU_ANSWER.replace('RTP/AVP 0', 'RTP/AVP 18').replace('0 PCMU', '18 G729'),
    });
    await pair.settle();
    expect(peer.requests('ACK')).toHaveLength(1);
    expect(peer.requests('BYE')).toHaveLength(1);
    expect(call.end).toMatchObject({ by: 'error', reason: 'media-refused' });
  });

  it('a media port that throws ends only that call, as internal-error, after ACK and BYE', async () => {
    const { pair, peer } = await setUp();
    pair.alice.media.throwOnStart = true;
    const { call, invite } = await dialPeer(pair, peer);
    peer.autoRespond((request) => {
      if (request.method === 'BYE') peer.reply(request, 200);
    });
    peer.reply(invite, 200, { toTag: 'a', sdp: PCMU_ANSWER });
    await pair.settle();
    expect(call.end).toMatchObject({ by: 'error', reason: 'internal-error', detail: 'media session broke' });
    expect(peer.requests('ACK')).toHaveLength(1);
    expect(peer.requests('BYE')).toHaveLength(1);
    // The agent still takes calls.
    pair.alice.media.throwOnStart = false;
    const next = pair.alice.calls.dial(uri(peer.uri));
    await pair.settle();
    expect(next.state).toBe('calling');
  });

  it('fails with internal-error when no media port can be made', async () => {
    const { pair, peer } = await setUp();
    pair.alice.media.fail = true;
    const call = pair.alice.calls.dial(uri(peer.uri));
    await pair.settle();
    expect(call.end).toMatchObject({ by: 'error', reason: 'internal-error' });
    expect(peer.received).toHaveLength(0);
  });
});

describe('digest on calls', () => {
  async function withAccount(pair: UaPair, proxy?: string) {
    return pair.alice.ua.addAccount({
      aor: uri('sip:alice@example.test'),
      password: 'secret',
      transport: 'udp',
      expires: 600,
      ...(proxy ? { outboundProxy: uri(proxy) } : {}),
    });
  }

  it('answers a 407 on INVITE once: same Call-ID and From tag, next CSeq, Proxy-Authorization; ACK carries it', async () => {
    const { pair, peer } = await setUp();
    const account = await withAccount(pair, `sip:${PEER}:5060`);
    const call = pair.alice.calls.dial(uri('sip:bob@example.test'), { account });
    await pair.settle();
    const first = peer.lastRequest('INVITE');
    expect(first.requestUri).toMatchObject({ user: 'bob', host: 'example.test' });
    expect(first.route[0]?.uri).toMatchObject({ host: PEER });
    peer.reply(first, 407, { toTag: 'p', headers: [['Proxy-Authenticate', CHALLENGE]] });
    await pair.settle();
    const second = peer.lastRequest('INVITE');
    expect(second).not.toBe(first);
    expect(second.callId).toBe(first.callId);
    expect(second.from.tag).toBe(first.from.tag);
    expect(second.cseq.seq).toBe(first.cseq.seq + 1);
    expect(second.header('proxy-authorization')).toMatch(/^Digest username="alice", realm="example.test"/);
    peer.reply(second, 200, { toTag: 'b', sdp: PCMU_ANSWER });
    await pair.settle();
    expect(call.state).toBe('connected');
    expect(peer.lastRequest('ACK').header('proxy-authorization')).toBe(second.header('proxy-authorization'));
  });

  it('a second challenge after our credentials ends with auth-failed', async () => {
    const { pair, peer } = await setUp();
    const account = await withAccount(pair, `sip:${PEER}:5060`);
    const call = pair.alice.calls.dial(uri('sip:bob@example.test'), { account });
    await pair.settle();
    peer.reply(peer.lastRequest('INVITE'), 407, { toTag: 'p', headers: [['Proxy-Authenticate', CHALLENGE]] });
    await pair.settle();
    peer.reply(peer.lastRequest('INVITE'), 407, { toTag: 'p', headers: [['Proxy-Authenticate', CHALLENGE]] });
    await pair.settle();
    expect(peer.requests('INVITE')).toHaveLength(2);
    expect(call.end).toMatchObject({ by: 'remote', reason: 'auth-failed', status: 407 });
  });

  it('a direct call has no credentials: a 401 ends it with auth-failed', async () => {
    const { pair, peer } = await setUp();
    const { call, invite } = await dialPeer(pair, peer);
    peer.reply(invite, 401, { toTag: 'p', headers: [['WWW-Authenticate', CHALLENGE]] });
    await pair.settle();
    expect(call.end).toMatchObject({ reason: 'auth-failed', status: 401 });
  });

  it('answers a challenge to the BYE with credentials and the next CSeq', async () => {
    const { pair, peer } = await setUp();
    const account = await withAccount(pair);
    const call = pair.alice.calls.dial(uri(peer.uri), { account });
    await pair.settle();
    peer.reply(peer.lastRequest('INVITE'), 200, { toTag: 'a', sdp: PCMU_ANSWER });
    await pair.settle();
    call.hangup();
    await pair.settle();
    const bye = peer.lastRequest('BYE');
    peer.reply(bye, 401, { headers: [['WWW-Authenticate', CHALLENGE]] });
    await pair.settle();
    const again = peer.lastRequest('BYE');
    expect(again.cseq.seq).toBe(bye.cseq.seq + 1);
    expect(again.header('authorization')).toMatch(/^Digest username="alice"/);
    expect(call.state).toBe('ending');
    peer.reply(again, 200);
    await pair.settle();
    expect(call.end).toEqual({ by: 'local', reason: 'normal' });
  });
  it('answers a 407 to a re-INVITE (hold) with credentials and the next CSeq; the hold then lands', async () => {
    const { pair, peer } = await setUp();
    const account = await withAccount(pair);
    const call = pair.alice.calls.dial(uri(peer.uri), { account });
    await pair.settle();
    peer.reply(peer.lastRequest('INVITE'), 200, { toTag: 'a', sdp: PCMU_ANSWER });
    await pair.settle();
    call.holdCall();
    await pair.settle();
    const reinvite = peer.lastRequest('INVITE');
    expect(reinvite.to.tag).toBe('a');
    peer.reply(reinvite, 407, { headers: [['Proxy-Authenticate', CHALLENGE]] });
    await pair.settle();
    const again = peer.lastRequest('INVITE');
    expect(again.cseq.seq).toBe(reinvite.cseq.seq + 1);
    expect(again.header('proxy-authorization')).toMatch(/^Digest username="alice"/);
    expect(again.bodyText).toContain('a=sendonly');
    peer.reply(again, 200, { sdp: PCMU_ANSWER.replace('t=0 0', 't=0 0\r\na=recvonly') });
    await pair.settle();
    expect(peer.lastRequest('ACK').cseq.seq).toBe(again.cseq.seq);
    expect(call.hold).toEqual({ local: true, remote: false });
  });
});

describe('redirects', () => {
  it('follows a 302 to its Contact with the next CSeq', async () => {
    const { pair, peer } = await setUp();
    const other = await ScriptedPeer.start(pair.network, '10.0.0.8');
    peers.push(other);
    const { call, invite } = await dialPeer(pair, peer);
    peer.reply(invite, 302, {
      toTag: 'r',
      contact: false,
      headers: [['Contact', '<sip:carol@10.0.0.8:5060>']],
    });
    await pair.settle();
    const moved = other.lastRequest('INVITE');
    expect(moved.requestUri).toMatchObject({ user: 'carol', host: '10.0.0.8' });
    expect(moved.cseq.seq).toBe(invite.cseq.seq + 1);
    expect(moved.callId).toBe(invite.callId);
    other.reply(moved, 200, { toTag: 'c', sdp: PCMU_ANSWER });
    await pair.settle();
    expect(call.state).toBe('connected');
    expect(other.requests('ACK')).toHaveLength(1);
  });

  it('refuses a redirect back to a target already tried (a loop)', async () => {
    const { pair, peer } = await setUp();
    const { call, invite } = await dialPeer(pair, peer);
    peer.reply(invite, 302, { toTag: 'r', contact: false, headers: [['Contact', `<${peer.uri}>`]] });
    await pair.settle();
    expect(peer.requests('INVITE')).toHaveLength(1);
    expect(call.end).toMatchObject({ reason: 'redirect-loop', status: 302 });
  });

  it('stops after five redirects', async () => {
    const { pair, peer } = await setUp();
    const { call } = await dialPeer(pair, peer);
    let hop = 0;
    peer.autoRespond((request) => {
      if (request.method !== 'INVITE') return;
      hop += 1;
      peer.reply(request, 302, {
        toTag: 'r',
        contact: false,
        headers: [['Contact', `<sip:hop${hop}@${PEER}:5060>`]],
      });
    });
    peer.reply(peer.lastRequest('INVITE'), 302, {
      toTag: 'r',
      contact: false,
      headers: [['Contact', `<sip:hop0@${PEER}:5060>`]],
    });
    await pair.settle();
    expect(peer.requests('INVITE')).toHaveLength(6);
    expect(call.end).toMatchObject({ reason: 'redirect-loop', status: 302 });
  });

  it('a 3xx without a usable Contact ends with redirect-failed', async () => {
    const { pair, peer } = await setUp();
    const { call, invite } = await dialPeer(pair, peer);
    peer.reply(invite, 301, { toTag: 'r', contact: false });
    await pair.settle();
    expect(call.end).toMatchObject({ reason: 'redirect-failed', status: 301 });
  });
});
