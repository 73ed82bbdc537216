// SIPp callers against the engine as the web host runs it (in-process createEngine, the real media worker, SQLite in
// a temp dir): an account that does not register takes the calls on a known port, and the window's commands drive
// them. One caller CANCELs while we ring (the call ends `missed`, 487 to the INVITE); one is answered by
// `calls.answer` and sends BYE (ended by the remote side). Each scenario runs one short call.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccountDto, AccountInput, CallDto, HistoryPage } from '../../main/contract/contract';
import { SystemClock } from '../../main/platform/clock';
import { silentLogger } from '../../main/platform/logger';
import { NodeSocketFactory } from '../../main/platform/node-sockets';
import { CryptoRandom } from '../../main/platform/random';
import type { Engine } from '../../main/services/engine';
import { UserAgentPool } from '../../main/services/user-agent-pool';
import { SystemNameResolver } from '../../main/ua/dns-resolver';
import {
  type RecordedEvent as Recorded,
  createAccount,
  resultValue as value,
  startRecordingEngine,
} from './support/engine-harness';
import { LOOPBACK, freePort } from './support/ports';
import { peersAvailable, startSipp } from './support/sipp';

const peers = peersAvailable();
const SCENARIOS = join(import.meta.dirname, 'calls', 'scenarios');

describe.skipIf(!peers.sipp)('SIPp callers against the engine', () => {
  let dir: string;
  const engines: Engine[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'softphone-engine-sipp-'));
  });

  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.shutdown(2_000);
  });

  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** An engine whose user agent listens on `port`, with alice (not registering) on it. */
  async function start(
    name: string,
    port: number,
  ): Promise<{ engine: Engine; events: Recorded[]; account: AccountDto }> {
    const running = await startRecordingEngine(dir, name, {
      agents: new UserAgentPool({
        sockets: new NodeSocketFactory(),
        clock: new SystemClock(),
        random: new CryptoRandom(),
        resolver: new SystemNameResolver(),
        logger: silentLogger,
        userAgent: 'softphone-test',
        port,
      }),
    });
    engines.push(running.engine);
    const input: AccountInput = {
      displayName: 'Alice',
      aor: `sip:alice@${LOOPBACK}`,
      authUser: null,
      password: '',
      outboundProxy: null,
      registrar: null,
      transport: 'udp',
      expires: 300,
      keepAliveSeconds: 0,
      keepAliveKind: 'crlf',
      enabled: true,
      register: false,
    };
    const account = await createAccount(running, input);
    return { ...running, account };
  }

  const calls = (events: Recorded[]): CallDto[] =>
    events.flatMap((event) => (event.name === 'call.changed' ? [event.payload] : []));

  it('uac-cancel: the caller gives up while we ring; the call ends missed and the history keeps it', async () => {
    const port = await freePort();
    const { engine, events, account } = await start('cancel', port);
    const sipp = await startSipp({
      scenario: join(SCENARIOS, 'uac-cancel.xml'),
      remote: `${LOOPBACK}:${port}`,
      service: 'alice',
      timeoutSec: 15,
    });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
    const seen = calls(events);
    expect(seen[0]).toMatchObject({ direction: 'incoming', state: 'incoming', accountId: account.id });
    expect(seen[seen.length - 1]).toMatchObject({
      state: 'ended',
      end: { by: 'remote', reason: 'missed', status: 487 },
    });
    const page = value<HistoryPage>(
      await engine.router.dispatch('history.list', [{ limit: 10, before: null }]),
    );
    expect(page.entries).toMatchObject([{ id: seen[0]!.id, durationMs: 0, end: { reason: 'missed' } }]);
  });

  it('uac-bye: calls.answer takes the call, the caller ACKs and hangs up with BYE', async () => {
    const port = await freePort();
    const { engine, events } = await start('bye', port);
    // The window's answer, as soon as the call shows.
    const answered: Promise<unknown>[] = [];
    engine.events.subscribe((name, payload) => {
      if (name === 'call.changed' && (payload as CallDto).state === 'incoming')
        answered.push(engine.router.dispatch('calls.answer', [(payload as CallDto).id]));
    });
    const sipp = await startSipp({
      scenario: join(SCENARIOS, 'uac-bye.xml'),
      remote: `${LOOPBACK}:${port}`,
      service: 'alice',
      timeoutSec: 15,
    });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
    expect(await Promise.all(answered)).toMatchObject([{ ok: true }]);
    const seen = calls(events).map((call) => call.state);
    expect(seen).toEqual(['incoming', 'connecting', 'connected', 'ended']);
    expect(calls(events).at(-1)!.end).toMatchObject({ by: 'remote', reason: 'hangup' });
  });
});
