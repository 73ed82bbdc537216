// A MESSAGE inside a call's dialog (RFC 3428 §4 allows it; the UAS core lets a request with a known dialog through):
// it reaches the messaging usage like any other and is answered by the handler's verdict; one naming a dialog that
// does not exist is the core's 481.
import { afterEach, describe, expect, it } from 'vitest';
import {
  MessagingUsage,
  type ReceivedMessage,
  messagingHostOf,
} from '../../../main/messaging/messaging-usage';
import { PCMU_OFFER, ScriptedPeer } from '../../support/scripted-peer';
import { BOB_ADDRESS, type UaPair, startUaPair } from '../../support/ua-pair';

let pair: UaPair | undefined;
let peer: ScriptedPeer | undefined;
let usage: MessagingUsage | undefined;
afterEach(async () => {
  usage?.dispose();
  peer?.close();
  await pair?.close();
  pair = undefined;
  peer = undefined;
  usage = undefined;
});

function request(
  method: string,
  ids: { from: string; to: string; callId: string; cseq: number },
  body = '',
  contentType = 'application/sdp',
): string {
  return [
    `${method} sip:bob@${BOB_ADDRESS}:5060 SIP/2.0`,
    `Via: SIP/2.0/UDP 10.0.0.9:5060;branch=z9hG4bK-${method.toLowerCase()}-${ids.cseq}`,
    'Max-Forwards: 70',
    `From: ${ids.from}`,
    `To: ${ids.to}`,
    `Call-ID: ${ids.callId}`,
    `CSeq: ${ids.cseq} ${method}`,
    'Contact: <sip:peer@10.0.0.9:5060>',
    ...(body ? [`Content-Type: ${contentType}`] : []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

describe('MESSAGE inside a call', () => {
  it('is taken in the dialog and answered 200 once stored; an unknown dialog gets 481', async () => {
    pair = await startUaPair();
    peer = await ScriptedPeer.start(pair.network, '10.0.0.9');
    usage = new MessagingUsage(messagingHostOf(pair.bob.ua));
    const received: ReceivedMessage[] = [];
    usage.setIncomingHandler((message) => {
      received.push(message);
      return { kind: 'stored' };
    });
    const ids = {
      from: '"Peer" <sip:peer@10.0.0.9:5060>;tag=pt',
      to: `<sip:bob@${BOB_ADDRESS}:5060>`,
      callId: 'in-dialog',
      cseq: 1,
    };
    peer.sendText(request('INVITE', ids, PCMU_OFFER), BOB_ADDRESS);
    await pair.settle();
    pair.bob.incoming[0]!.answer();
    await pair.settle();
    const ok = peer.responses().find((response) => response.status === 200)!;
    const dialog = { ...ids, to: ok.header('to')! };
    peer.sendText(request('ACK', dialog), BOB_ADDRESS);
    await pair.settle();

    peer.sendText(
      request('MESSAGE', { ...dialog, cseq: 2 }, 'during the call ☎️', 'text/plain;charset=utf-8'),
      BOB_ADDRESS,
    );
    await pair.settle();
    expect(peer.responses().at(-1)).toMatchObject({ status: 200 });
    expect(peer.responses().at(-1)!.cseq).toEqual({ seq: 2, method: 'MESSAGE' });
    expect(received.map((message) => [message.body, message.fromName])).toEqual([
      ['during the call ☎️', 'Peer'],
    ]);

    peer.sendText(
      request(
        'MESSAGE',
        { ...dialog, to: `<sip:bob@${BOB_ADDRESS}:5060>;tag=nosuch`, cseq: 3 },
        'stale',
        'text/plain',
      ),
      BOB_ADDRESS,
    );
    await pair.settle();
    expect(peer.responses().at(-1)).toMatchObject({ status: 481 });
    expect(received).toHaveLength(1);
  });
});
