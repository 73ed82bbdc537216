// The call-test doubles themselves: the scripted SIP peer records what it receives and answers where the request
// came from; the recording media port logs start/update/stop and can be told to fail.
import { afterEach, describe, expect, it } from 'vitest';
import { parseMessage } from '../../../main/sip/message/parse';
import { LoopbackNetwork, textOf } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { RecordingMedia } from '../../support/recording-media';
import { PCMU_ANSWER, PCMU_OFFER, ScriptedPeer } from '../../support/scripted-peer';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';

const peers: ScriptedPeer[] = [];
afterEach(() => {
  for (const peer of peers.splice(0)) peer.close();
});

describe('ScriptedPeer', () => {
  it('records requests, replies to the top Via with tag, Contact and SDP, and auto-responds when told', async () => {
    const clock = new ManualClock();
    const network = new LoopbackNetwork({ clock });
    const peer = await ScriptedPeer.start(network, '10.0.0.9');
    peers.push(peer);
    const client = await network.bindDatagram('10.0.0.1', 5060);
    const heard: string[] = [];
    client.onMessage((data) => heard.push(textOf(data)));
    const request = (method: string, branch: string) =>
      [
        `${method} sip:peer@10.0.0.9 SIP/2.0`,
        `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK${branch}`,
        'From: <sip:a@10.0.0.1>;tag=1',
        'To: <sip:peer@10.0.0.9>',
        'Call-ID: c1',
        `CSeq: 1 ${method}`,
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
    client.send(new TextEncoder().encode(request('INVITE', 'a')), 5060, '10.0.0.9');
    await settle(clock);
    const invite = peer.lastRequest('INVITE');
    peer.reply(invite, 200, { toTag: 't', sdp: PCMU_ANSWER });
    await settle(clock);
    const response = parseMessage(new TextEncoder().encode(heard[0]!));
    expect(response.ok && response.message.kind === 'response' && response.message.status).toBe(200);
    expect(heard[0]).toContain('Contact: <sip:peer@10.0.0.9:5060>');
    expect(heard[0]).toMatch(/To: <sip:peer@10\.0\.0\.9>;tag=t/);
    peer.autoRespond((incoming) => peer.reply(incoming, 486));
    client.send(new TextEncoder().encode(request('OPTIONS', 'b')), 5060, '10.0.0.9');
    await settle(clock);
    expect(heard[1]).toMatch(/^SIP\/2\.0 486/);
    expect(peer.requests('OPTIONS')).toHaveLength(1);
    expect(() => peer.lastRequest('BYE')).toThrow('no BYE received');
  });
});

describe('RecordingMedia', () => {
  it('hands out SDP ports on even numbers, logs what the call tells them, and fails when told', async () => {
    const media = new RecordingMedia({ address: '10.0.0.1', random: new SeededRandom(1) });
    const first = await media.factory({ callRef: 'a', direction: 'incoming' });
    const answer = first.createAnswer(PCMU_OFFER, { hold: false });
    expect(answer.ok && answer.value.sdp).toContain('m=audio 40000');
    if (!answer.ok) throw new Error('no answer');
    first.start(answer.value.media);
    first.update(answer.value.media);
    first.stop();
    expect(media.lastKinds).toEqual(['start', 'update', 'stop']);
    expect(media.lastMedia?.codec.name).toBe('pcmu');
    const second = await media.factory({ callRef: 'b', direction: 'outgoing' });
    expect(second.createOffer({ hold: false })).toContain('m=audio 40002');
    media.fail = true;
    await expect(media.factory({ callRef: 'c', direction: 'outgoing' })).rejects.toThrow('no media today');
    media.fail = false;
    media.throwOnStart = true;
    const third = await media.factory({ callRef: 'd', direction: 'incoming' });
    expect(() => third.start(answer.value.media)).toThrow('media session broke');
  });
});
