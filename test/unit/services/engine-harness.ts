// The real engine (store, services, user agents) on the in-memory network and a manual clock, with a scripted
// registrar at 10.0.0.1:5060 and the engine's user agent at 10.0.0.2. Time moves only when the test drives it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccountInput, EventName, Events } from '../../../main/contract/contract';
import type { DatagramSocket } from '../../../main/platform/sockets';
import { type Engine, type EngineOptions, createEngine } from '../../../main/services/engine';
import { createResponse } from '../../../main/sip/message/builders';
import type { SipRequest } from '../../../main/sip/message/message';
import { parseMessage } from '../../../main/sip/message/parse';
import { serializeMessage } from '../../../main/sip/message/serialize';
import type { SecretCipher } from '../../../main/store/secret-cipher';
import { NoNameResolver } from '../../../main/ua/next-hop';
import { accountInput } from '../../support/fake-engine';
import { LoopbackNetwork } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';

export const REGISTRAR = { address: '10.0.0.1', port: 5060 };
export const LOCAL_ADDRESS = '10.0.0.2';
const CHALLENGE = 'Digest realm="example.test", nonce="n1", qop="auth", algorithm=MD5';

/** Reversible and plain: the tests are about the services, not about encryption. */
export const plainCipher: SecretCipher = {
  protection: { kind: 'key-file', detail: 'test.key' },
  available: true,
  encrypt: (plain) => Buffer.from(plain, 'utf8'),
  decrypt: (data) => data.toString('utf8'),
};

/** accept: 200 at once; challenge: 401 first, then 200; refuse: 401 always (wrong credentials); silent: nothing. */
export type RegistrarMode = 'accept' | 'challenge' | 'refuse' | 'silent';

/** A registrar that answers every REGISTER it receives as its mode says. */
export async function startRegistrar(network: LoopbackNetwork, mode: { current: RegistrarMode }) {
  const socket: DatagramSocket = await network.bindDatagram(REGISTRAR.address, REGISTRAR.port);
  const received: SipRequest[] = [];
  socket.onMessage((data, from) => {
    const parsed = parseMessage(data);
    if (!parsed.ok || parsed.message.kind !== 'request') return;
    const request = parsed.message;
    received.push(request);
    if (mode.current === 'silent') return;
    const challenge =
      mode.current === 'refuse' || (mode.current === 'challenge' && request.authorization.length === 0);
    const response = challenge
      ? createResponse(request, 401, { toTag: 'reg', headers: [['WWW-Authenticate', CHALLENGE]] })
      : createResponse(request, 200, {
          toTag: 'reg',
          headers: [['Contact', `${request.header('contact')};expires=${request.expires === 0 ? 0 : 600}`]],
        });
    socket.send(serializeMessage(response), from.port, from.address);
  });
  return { socket, received };
}

export type RecordedEvent = { [E in EventName]: { name: E; payload: Events[E] } }[EventName];

export interface Harness {
  readonly engine: Engine;
  readonly clock: ManualClock;
  readonly network: LoopbackNetwork;
  readonly dataDir: string;
  readonly events: RecordedEvent[];
  readonly registrar: Awaited<ReturnType<typeof startRegistrar>>;
  readonly mode: { current: RegistrarMode };
  /** Settles promises and zero-delay deliveries, advancing `ms` first. */
  run(ms?: number): Promise<void>;
  /** Advances time in steps until `work` settles (bounded), then returns its outcome. */
  drive<T>(work: Promise<T>, stepMs?: number): Promise<T>;
  statusesOf(accountId: string): Events['registration.changed'][];
  stop(): Promise<void>;
}

export function input(overrides: Partial<AccountInput> = {}): AccountInput {
  return accountInput({
    aor: 'sip:alice@example.test',
    outboundProxy: `sip:${REGISTRAR.address}:${REGISTRAR.port}`,
    ...overrides,
  });
}

const dataDirs: string[] = [];

export function newDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'softphone-services-'));
  dataDirs.push(dir);
  return dir;
}

export function removeDataDirs(): void {
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export async function startHarness(
  options: {
    mode?: RegistrarMode;
    dataDir?: string;
    engine?: Partial<EngineOptions>;
    /** Manual-clock time the route probe takes, to hold an account's start in flight. */
    localAddressDelayMs?: number;
  } = {},
): Promise<Harness> {
  const clock = new ManualClock();
  const random = new SeededRandom(7);
  const network = new LoopbackNetwork({ clock, random });
  const mode = { current: options.mode ?? 'accept' };
  const registrar = await startRegistrar(network, mode);
  const dataDir = options.dataDir ?? newDataDir();
  const engine = await createEngine({
    dataDir,
    secrets: plainCipher,
    host: 'web',
    sockets: network,
    clock,
    random,
    resolver: new NoNameResolver(),
    localAddressFor: () =>
      new Promise<string>((resolve) => {
        if (!options.localAddressDelayMs) resolve(LOCAL_ADDRESS);
        else clock.setTimer(options.localAddressDelayMs, () => resolve(LOCAL_ADDRESS));
      }),
    unregisterTimeoutMs: 2_000,
    ...options.engine,
  });
  const events: RecordedEvent[] = [];
  engine.events.subscribe((name, payload) => events.push({ name, payload } as RecordedEvent));
  const run = async (ms = 0) => {
    if (ms > 0) clock.advance(ms);
    await settle(clock);
  };
  const drive = async <T>(work: Promise<T>, stepMs = 250): Promise<T> => {
    let done = false;
    const watched = work.finally(() => {
      done = true;
    });
    for (let step = 0; step < 400 && !done; step++) await run(step === 0 ? 0 : stepMs);
    if (!done) throw new Error('the work did not finish within 100 s of manual time');
    return watched;
  };
  return {
    engine,
    clock,
    network,
    dataDir,
    events,
    registrar,
    mode,
    run,
    drive,
    statusesOf: (accountId) =>
      events.flatMap((event) =>
        event.name === 'registration.changed' && event.payload.accountId === accountId ? [event.payload] : [],
      ),
    stop: async () => {
      await drive(engine.shutdown(2_000));
      registrar.socket.close();
    },
  };
}
