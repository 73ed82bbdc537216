// The engine as the web host runs it (in-process `createEngine`, commands through its router, the real media worker,
// a SQLite store in a temp folder), with every event it emits recorded, for the interop tests that drive calls,
// presence and messages through Kamailio to baresip, SIPp or another engine.
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  AccountDto,
  AccountInput,
  BuddyPresenceDto,
  CallDto,
  EventName,
  Events,
  Result,
} from '../../../main/contract/contract';
import { type Engine, type EngineOptions, createEngine } from '../../../main/services/engine';
import { FileKeyCipher } from '../../../main/store/file-key-cipher';
import type { KamailioHandle } from './kamailio';

/** How long one step of a call may take before a wait fails. */
export const ENGINE_STEP_MS = 15_000;

export type RecordedEvent = {
  [E in EventName]: { readonly name: E; readonly payload: Events[E] };
}[EventName];

export interface RecordingEngine {
  readonly engine: Engine;
  readonly events: RecordedEvent[];
}

/** A command's value, or a thrown error naming the command error. */
export function resultValue<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

/** Starts an engine on a fresh data folder under `parentDir`, recording its events. */
export async function startRecordingEngine(
  parentDir: string,
  name: string,
  options: Pick<EngineOptions, 'mediaWorker' | 'agents' | 'watchList' | 'logger'> = {},
): Promise<RecordingEngine> {
  const dataDir = await mkdtemp(join(parentDir, `${name}-`));
  const engine = await createEngine({
    dataDir,
    secrets: FileKeyCipher.inDirectory(dataDir),
    host: 'web',
    unregisterTimeoutMs: 1_000,
    ...options,
  });
  const events: RecordedEvent[] = [];
  engine.events.subscribe((eventName, payload) => events.push({ name: eventName, payload } as RecordedEvent));
  return { engine, events };
}

/** The next recorded event that `accept` takes (already there or arriving within `ms`). */
export function nextEvent<T>(
  events: RecordedEvent[],
  accept: (event: RecordedEvent) => T | undefined,
  ms = ENGINE_STEP_MS,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const deadline = Date.now() + ms;
    const poll = () => {
      for (const event of events) {
        const found = accept(event);
        if (found !== undefined) {
          resolve(found);
          return;
        }
      }
      if (Date.now() > deadline) reject(new Error(`nothing matched in ${JSON.stringify(events.slice(-20))}`));
      else setTimeout(poll, 50);
    };
    poll();
  });
}

/** Accepts a `call.changed` into `state`, for the call `callId` (or any call when null). */
export const callReaches =
  (callId: string | null, state: CallDto['state']) =>
  (event: RecordedEvent): CallDto | undefined =>
    event.name === 'call.changed' &&
    (callId === null || event.payload.id === callId) &&
    event.payload.state === state
      ? event.payload
      : undefined;

/** Accepts a `buddy.changed` of the contact `contactId` that `accept` takes. */
export const buddyWhere =
  (contactId: string, accept: (buddy: BuddyPresenceDto) => boolean) =>
  (event: RecordedEvent): BuddyPresenceDto | undefined =>
    event.name === 'buddy.changed' && event.payload.contactId === contactId && accept(event.payload)
      ? event.payload
      : undefined;

/** Alice's account on the project's Kamailio (password `alice-pw`), through it as outbound proxy. */
export function aliceAccount(kamailio: KamailioHandle, extra: Partial<AccountInput> = {}): AccountInput {
  return {
    displayName: 'Alice',
    aor: kamailio.uri('alice'),
    authUser: null,
    password: 'alice-pw',
    outboundProxy: kamailio.proxyUri(),
    registrar: null,
    transport: 'udp',
    expires: 300,
    keepAliveSeconds: 0,
    keepAliveKind: 'crlf',
    enabled: true,
    ...extra,
  };
}

/** Creates the account and, unless it does not register, waits until it is registered. */
export async function createAccount(
  { engine, events }: RecordingEngine,
  input: AccountInput,
): Promise<AccountDto> {
  const account = resultValue<AccountDto>(await engine.router.dispatch('accounts.create', [input]));
  if (input.register !== false)
    await nextEvent(events, (event) =>
      event.name === 'registration.changed' &&
      event.payload.accountId === account.id &&
      event.payload.state === 'registered'
        ? true
        : undefined,
    );
  return account;
}
