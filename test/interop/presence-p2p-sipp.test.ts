// Peer-to-peer presence against SIPp (test/interop/sipp/uac-subscribe-presence.xml): SIPp subscribes to our user
// agent's presence directly, as a watcher would when the server takes no PUBLISH, and checks our notifier's answers:
// 200 and an immediate NOTIFY with our PIDF, a NOTIFY on a status change, a refresh, Expires: 0 with a terminated
// NOTIFY, 481 in the ended dialog, 489 for another package.
import { afterEach, describe, expect, it } from 'vitest';
import type { OwnPresence } from '../../main/presence/pidf-builder';
import { PresenceNotifier, type PresenceSource } from '../../main/presence/presence-notifier';
import { hostOf, subscriberOf } from '../../main/presence/subscription-usage';
import { UserAgent } from '../../main/ua/user-agent';
import { peersAvailable } from './support/peers';
import { parseMessageLog, startSipp } from './support/sipp';
import { sipUri, startLoopbackAgent, waitFor } from './support/sip-agent';

const peers = peersAvailable();
const agents: UserAgent[] = [];

afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.shutdown(500);
});

class Status implements PresenceSource {
  current: OwnPresence | undefined;
  readonly #listeners = new Set<(presence: OwnPresence) => void>();
  set(status: OwnPresence['status'], note?: string): void {
    this.current = {
      entity: 'sip:alice@example.test',
      status,
      ...(note ? { note } : {}),
      timestamp: Date.now(),
      tupleId: 't1',
      personId: 'p1',
    };
    for (const listener of this.#listeners) listener(this.current);
  }
  onPresence(listener: (presence: OwnPresence) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

describe.skipIf(!peers.sipp)('peer-to-peer presence against SIPp', () => {
  it('uac-subscribe-presence: SIPp watches our agent; every answer and NOTIFY is as RFC 3856 §6 asks', async () => {
    const agent = await startLoopbackAgent();
    agents.push(agent);
    const account = agent.addAccount({
      aor: sipUri('sip:alice@example.test'),
      password: 'secret',
      transport: 'udp',
      expires: 600,
    });
    const status = new Status();
    status.set('available', 'lunch at noon');
    const notifier = new PresenceNotifier(hostOf(agent), subscriberOf(account), status);
    notifier.start();
    const sipp = await startSipp({
      scenario: 'uac-subscribe-presence.xml',
      remote: `127.0.0.1:${agent.transport.localPort}`,
      service: 'alice',
      timeoutSec: 15,
    });
    await waitFor(() => (notifier.watchers.length === 1 ? true : undefined), 'the watcher');
    status.set('busy');
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
    const log = parseMessageLog(result.messageLog);
    const notifies = log.filter((m) => m.direction === 'received' && m.method === 'NOTIFY');
    expect(notifies.map((m) => m.header('Subscription-State'))).toEqual([
      expect.stringMatching(/^active;expires=(60|59)$/),
      expect.stringMatching(/^active;expires=/),
      'active;expires=60',
      'terminated;reason=timeout',
    ]);
    expect(notifier.watchers).toEqual([]);
    await notifier.stop(500);
  }, 30_000);
});
