// The presence server double answers as RFC 3903 and 6665 say, so the service tests built on it mean something.
import { describe, expect, it } from 'vitest';
import type { SipRequest, SipResponse } from '../../../main/sip/message/message';
import { LoopbackNetwork } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { PresenceServer } from '../../support/presence-server';
import { ScriptedPeer } from '../../support/scripted-peer';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';

async function setup() {
  const clock = new ManualClock();
  const network = new LoopbackNetwork({ clock, random: new SeededRandom(1) });
  const server = await PresenceServer.start(network, '10.0.0.1');
  const client = await ScriptedPeer.start(network, '10.0.0.2');
  let n = 0;
  const send = async (method: string, headers: string[], body = ''): Promise<void> => {
    n++;
    const lines = [
      `${method} sip:bob@example.test SIP/2.0`,
      `Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKt${n}`,
      'Max-Forwards: 70',
      `From: <sip:alice@example.test>;tag=a${method === 'SUBSCRIBE' ? 1 : n}`,
      'To: <sip:bob@example.test>',
      `Call-ID: ${method}-call`,
      `CSeq: ${n} ${method}`,
      'Contact: <sip:alice@10.0.0.2:5060>',
      ...headers,
      `Content-Length: ${Buffer.byteLength(body)}`,
    ];
    client.sendText(`${lines.join('\r\n')}\r\n\r\n${body}`, '10.0.0.1');
    await settle(clock);
  };
  const responses = (): SipResponse[] => client.responses();
  const notifies = (): SipRequest[] => client.requests('NOTIFY');
  return { server, send, responses, notifies };
}

describe('PresenceServer (test double)', () => {
  it('answers SUBSCRIBE with 200 and a NOTIFY carrying what the presentity published', async () => {
    const { server, send, responses, notifies } = await setup();
    await send(
      'PUBLISH',
      ['Event: presence', 'Expires: 60', 'Content-Type: application/pidf+xml'],
      '<presence/>',
    );
    expect(responses().at(-1)?.status).toBe(200);
    const etag = responses().at(-1)?.header('sip-etag');
    expect(etag).toBeDefined();
    await send('SUBSCRIBE', ['Event: presence', 'Expires: 600']);
    expect(responses().at(-1)?.status).toBe(200);
    expect(notifies()).toHaveLength(1);
    expect(notifies()[0]?.bodyText).toBe('<presence/>');
    expect(notifies()[0]?.header('subscription-state')).toBe('active;expires=600');
    expect(server.watchersOf('bob')).toHaveLength(1);
  });

  it('answers an unknown entity-tag with 412, and forgets tags and dialogs on restart', async () => {
    const { server, send, responses } = await setup();
    await send('PUBLISH', ['Event: presence', 'SIP-If-Match: nope', 'Expires: 60']);
    expect(responses().at(-1)?.status).toBe(412);
    await send(
      'PUBLISH',
      ['Event: presence', 'Expires: 60', 'Content-Type: application/pidf+xml'],
      '<presence/>',
    );
    const etag = responses().at(-1)?.header('sip-etag') ?? '';
    await send('SUBSCRIBE', ['Event: presence', 'Expires: 600']);
    server.restart();
    await send('PUBLISH', ['Event: presence', `SIP-If-Match: ${etag}`, 'Expires: 60']);
    expect(responses().at(-1)?.status).toBe(412);
    expect(server.documents.size).toBe(0);
    expect(server.subscriptions.size).toBe(0);
  });

  it('refuses packages it does not serve with 489 and refused presentities with 403', async () => {
    const { server, send, responses } = await setup();
    await send('SUBSCRIBE', ['Event: dialog', 'Expires: 600']);
    expect(responses().at(-1)?.status).toBe(489);
    server.refused.add('bob');
    await send('SUBSCRIBE', ['Event: presence', 'Expires: 600']);
    expect(responses().at(-1)?.status).toBe(403);
  });

  it('answers every PUBLISH with publishStatus when set (a server without presence publication), keeping nothing', async () => {
    const { server, send, responses } = await setup();
    server.publishStatus = 489;
    await send(
      'PUBLISH',
      ['Event: presence', 'Expires: 60', 'Content-Type: application/pidf+xml'],
      '<presence/>',
    );
    expect(responses().at(-1)?.status).toBe(489);
    expect(server.documents.size).toBe(0);
  });
});
