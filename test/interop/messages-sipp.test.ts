// The MESSAGE usage against SIPp (test/interop/sipp): a next hop that answers 480 (reported as `unavailable`, not
// sent again), a proxy that challenges with 407 and then takes the message (credentials on the same Call-ID), and
// SIPp sending us text, HTML and is-composing documents good and broken (200, 415 with Accept, 400, 200).
import { afterEach, describe, expect, it } from 'vitest';
import {
  MessagingUsage,
  type ReceivedComposing,
  messagingHostOf,
} from '../../main/messaging/messaging-usage';
import { type Account, UserAgent } from '../../main/ua/user-agent';
import { peersAvailable } from './support/peers';
import { parseMessageLog, runSipp, startSipp } from './support/sipp';
import { sipUri, startLoopbackAgent } from './support/sip-agent';

const peers = peersAvailable();
const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function engine(
  proxy?: string,
): Promise<{ agent: UserAgent; account: Account; usage: MessagingUsage }> {
  const agent = await startLoopbackAgent();
  const account = agent.addAccount({
    aor: sipUri('sip:alice@example.test'),
    password: 'secret',
    ...(proxy ? { outboundProxy: sipUri(proxy) } : {}),
    transport: 'udp',
    expires: 600,
  });
  const usage = new MessagingUsage(messagingHostOf(agent));
  cleanups.push(async () => {
    usage.dispose();
    await agent.shutdown(500);
  });
  return { agent, account, usage };
}

describe.skipIf(!peers.sipp)('messages against SIPp', () => {
  it('uas-message-480: the failure is reported as unavailable with the status, and not retried', async () => {
    const uas = await startSipp({ scenario: 'uas-message-480.xml', timeoutSec: 15 });
    const { account, usage } = await engine(uas.uri);
    const outcome = await usage.send(account, sipUri('sip:bob@example.test'), 'bob is offline');
    expect(outcome).toMatchObject({ ok: false, failure: { reason: 'unavailable', status: 480 } });
    if (!outcome.ok)
      expect(outcome.failure.detail).toMatch(/^480 Temporarily Unavailable from 127\.0\.0\.1:\d+$/);
    const result = await uas.done();
    expect(result.code, result.errorLog).toBe(0);
    const received = parseMessageLog(result.messageLog).filter(
      (m) => m.direction === 'received' && m.method === 'MESSAGE',
    );
    expect(received).toHaveLength(1);
  }, 30_000);

  it('uas-message-auth: a 407 is answered once with the account’s credentials, then 200', async () => {
    const uas = await startSipp({ scenario: 'uas-message-auth.xml', timeoutSec: 15 });
    const { account, usage } = await engine(uas.uri);
    const outcome = await usage.send(account, sipUri('sip:bob@example.test'), 'after the challenge 🔐');
    expect(outcome).toMatchObject({ ok: true, status: 200 });
    const result = await uas.done();
    expect(result.code, result.errorLog).toBe(0);
  }, 30_000);

  it('uac-message-types: 200 for text, 415 with Accept for HTML, 400 for broken is-composing, 200 for a good one', async () => {
    const { agent, usage } = await engine();
    const bodies: string[] = [];
    const composing: ReceivedComposing[] = [];
    usage.setIncomingHandler((message) => {
      bodies.push(message.body);
      return { kind: 'stored' };
    });
    usage.onComposing((indication) => composing.push(indication));
    const result = await runSipp({
      scenario: 'uac-message-types.xml',
      remote: `127.0.0.1:${agent.transport.localPort}`,
      service: 'alice',
      timeoutSec: 10,
    });
    expect(result.code, result.errorLog).toBe(0);
    // SIPp ends the body with the CRLF of its last line.
    expect(bodies).toEqual(['hello from SIPp\r\n']);
    expect(composing.map((c) => c.state)).toEqual(['active']);
  }, 20_000);
});
