// The engine: everything behind the interface, built once per process by the Electron main or the web host.
// It opens the store, starts the SIP user agents and registers the enabled accounts, and exposes one command router
// and one event stream for whichever transport carries them. When the store cannot be opened it still starts, in a
// degraded mode where `app.info` explains the problem and every other command answers `unavailable`, so the
// interface can show a clear error screen instead of a blank window.
import { join } from 'node:path';
import type { AppInfoDto, StorageErrorDto } from '../contract/contract';
import { MediaWorkerHost } from '../media/session/media-worker-host';
import { DEFAULT_WARM_UP_TICKS } from '../media/session/media-worker-protocol';
import { type Clock, SystemClock } from '../platform/clock';
import { type IdleSource, neverIdle } from '../platform/idle-source';
import { NodeSocketFactory } from '../platform/node-sockets';
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import { CryptoRandom, type Random } from '../platform/random';
import { localAddressFor } from '../platform/route-probe';
import type { SocketFactory } from '../platform/sockets';
import type { SecretCipher } from '../store/secret-cipher';
import { openStore } from '../store/store';
import { SystemNameResolver } from '../ua/dns-resolver';
import type { NameResolver } from '../ua/next-hop';
import { AccountService, type AgentPool } from './account-service';
import { type CallEngine, unavailableCallEngine } from './call-engine';
import { CallService } from './call-service';
import { ContactService } from './contact-service';
import { type CommandHandlers, CommandRouter } from './command-router';
import type { Engine } from './engine-facade';
import { LinkInbox } from './link-inbox';
import { EventHub } from './event-hub';
import { MessageService } from './message-service';
import { PresenceService, type WatchList } from './presence-service';
import { SettingsService } from './settings-service';
import { createUnavailableEngine } from './unavailable-engine';
import { type ShutdownAgentPool, UaCallEngine } from './ua-call-engine';
import { type MessagingEngine, unavailableMessagingEngine } from './messaging-engine';
import { UaMessagingEngine } from './ua-messaging-engine';
import { UserAgentPool } from './user-agent-pool';
import type { ClosableMediaWorker } from './worker-media-port';

export type { Engine } from './engine-facade';

export const APP_VERSION = '0.1.0';
const USER_AGENT = `softphone/${APP_VERSION}`;

/**
 * Another engine holds the data folder: this one must not start. It carries the store's `in-use` error (the file and
 * the holder's pid when known) so each host can say so in its own place: the window's words for the Electron app's
 * error screen, the web host's own line for its terminal. Its message is the technical line for logs.
 */
export class DataFolderInUseError extends Error {
  constructor(
    readonly error: StorageErrorDto,
    readonly dataDir: string,
  ) {
    const holder = error.holderPid === null ? 'holder unknown' : `held by pid ${error.holderPid}`;
    super(`data folder ${dataDir} in use by another engine (${holder}): ${error.detail}`);
    this.name = 'DataFolderInUseError';
  }
}

export interface EngineOptions {
  readonly dataDir: string;
  readonly secrets: SecretCipher;
  readonly host: 'electron' | 'web';
  readonly logger?: Logger;
  /** Seams for tests; real sockets, clock, randomness and DNS by default. */
  readonly sockets?: SocketFactory;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly resolver?: NameResolver;
  readonly localAddressFor?: (remote: string) => Promise<string>;
  /** How long unregistering may take per account when it is disabled, edited or deleted. */
  readonly unregisterTimeoutMs?: number;
  /** The user agents (tests); one per local address on `sockets` by default. */
  readonly agents?: AgentPool & { shutdown(timeoutMs: number): Promise<void> };
  /**
   * What runs calls (tests pass a fake): by default a UaCallEngine, the call usage on every user agent with each
   * call's media in `mediaWorker`. The history commands work either way.
   */
  readonly calls?: CallEngine;
  /**
   * Where calls' media runs, closed last (after the calls and the accounts); a MediaWorkerHost (a worker thread,
   * started at the first call) by default.
   */
  readonly mediaWorker?: ClosableMediaWorker;
  /**
   * Maps the media worker module's URL before the worker starts (the packaged Electron app passes
   * `asarUnpackedUrl`, see media-worker-host.ts); the URL as found when absent.
   */
  readonly resolveMediaWorkerUrl?: (url: URL) => URL;
  /**
   * Start the media worker with the engine rather than at the first call, so its warm-up (a couple of seconds
   * later, between nothing) leaves even the first call's per-packet code warm. The desktop app and the web host
   * set it; tests leave it off, so an engine test starts no thread it does not use.
   */
  readonly warmMediaAtStart?: boolean;
  /** No RTP for this long ends a call (media-timeout); the media worker's default (30 s) when absent. */
  readonly mediaInactivityTimeoutMs?: number;
  /**
   * What carries instant messages (tests pass a fake): by default a UaMessagingEngine, the MESSAGE usage on every
   * user agent of the pool.
   */
  readonly messaging?: MessagingEngine;
  /** How long the person has not touched the machine (Electron's powerMonitor); never idle when absent (web host). */
  readonly idle?: IdleSource;
  /** Whose presence to watch; the contacts marked "watch presence" (ContactService) once contacts are built. */
  readonly watchList?: WatchList;
}

/**
 * Starts the engine. Throws DataFolderInUseError when another engine holds the data folder; any other store failure
 * gives a degraded engine whose `app.info` explains it.
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? new SystemClock();
  const events = new EventHub(logger);
  const opened = openStore({ dataDir: options.dataDir, clock });
  if (!opened.ok) {
    logger.log('error', 'store unavailable', { ...opened.error });
    if (opened.error.kind === 'in-use') throw new DataFolderInUseError(opened.error, options.dataDir);
    return createUnavailableEngine(appInfo(options, opened.error), events);
  }
  const store = opened.store;
  const settings = new SettingsService(store.settings, events);
  const resolver = options.resolver ?? new SystemNameResolver();
  const random = options.random ?? new CryptoRandom();
  const localAddress = options.localAddressFor ?? ((remote: string) => localAddressFor(remote));
  const pool =
    options.agents ??
    new UserAgentPool({
      sockets: options.sockets ?? new NodeSocketFactory(),
      clock,
      random,
      resolver,
      logger,
      userAgent: USER_AGENT,
      port: settings.get().sipPort,
    });
  // The call engine reads the accounts it serves through these closures (AccountService is made just below it,
  // on the pool the call engine hands out, so every user agent carries calls).
  const worker =
    options.calls === undefined
      ? (options.mediaWorker ??
        // The worker starts with the first call (or with the engine, `warmMediaAtStart`) and warms its per-packet
        // code up while no call runs, so the calls after it start warm (media/session/README.md).
        new MediaWorkerHost({
          logger,
          clock,
          resolveWorkerUrl: options.resolveMediaWorkerUrl,
          warmUpTicks: DEFAULT_WARM_UP_TICKS,
        }))
      : undefined;
  const callEngine: UaCallEngine | undefined =
    worker === undefined
      ? undefined
      : new UaCallEngine({
          worker,
          accounts: {
            live: (id) => accounts.live(id),
            idOf: (account) => accounts.idOf(account),
            settings: (id) => {
              const record = store.accounts.get(id);
              return record
                ? { doNotDisturb: record.doNotDisturb, earlyMedia: record.earlyMedia, codecs: record.codecs }
                : undefined;
            },
          },
          clock,
          random,
          resolver,
          localAddressFor: localAddress,
          logger,
          ...(options.mediaInactivityTimeoutMs === undefined
            ? {}
            : { inactivityTimeoutMs: options.mediaInactivityTimeoutMs }),
        });
  const callAgents: ShutdownAgentPool = callEngine ? callEngine.pool(pool) : pool;
  // Every user agent the accounts get also takes MESSAGE (unless a test brings its own messaging engine).
  const uaMessaging =
    options.messaging === undefined
      ? new UaMessagingEngine({
          accounts: { live: (id) => accounts.live(id), idOf: (account) => accounts.idOf(account) },
          resolver,
          localAddressFor: localAddress,
          logger,
        })
      : undefined;
  const agents: ShutdownAgentPool = uaMessaging ? uaMessaging.pool(callAgents) : callAgents;
  // The message service (messages.*) sets the incoming handler when it starts; until then MESSAGEs are answered 480.
  const messaging: MessagingEngine = options.messaging ?? uaMessaging ?? unavailableMessagingEngine();
  const accounts: AccountService = new AccountService({
    store: store.accounts,
    cipher: options.secrets,
    agents,
    events,
    clock,
    resolver,
    localAddressFor: localAddress,
    logger,
    ...(options.unregisterTimeoutMs !== undefined
      ? { unregisterTimeoutMs: options.unregisterTimeoutMs }
      : {}),
  });
  const calls = new CallService({
    engine: options.calls ?? callEngine ?? unavailableCallEngine(),
    history: store.callHistory,
    accounts: store.accounts,
    events,
    clock,
    logger,
  });
  calls.start();
  const contacts = new ContactService({ store: store.contacts, events, logger });
  contacts.start();
  const messages = new MessageService({
    engine: messaging,
    store: store.messages,
    accounts: store.accounts,
    events,
    clock,
    logger,
  });
  messages.start();
  const presence = new PresenceService({
    accounts: {
      list: () => store.accounts.list(),
      live: (id) => accounts.live(id),
      registrations: () => accounts.registrations(),
    },
    store: store.presence,
    watchList: options.watchList ?? contacts,
    events,
    clock,
    idle: options.idle ?? neverIdle,
    idleAwayMinutes: () => settings.get().idleAwayMinutes,
    logger,
  });
  presence.start();
  if (options.warmMediaAtStart === true) void worker?.warmedUp?.();
  const info = appInfo(options, null);
  const links = new LinkInbox(events);
  const handlers: CommandHandlers = {
    'app.info': () => info,
    'accounts.list': () => accounts.list(),
    'accounts.create': (input) => accounts.create(input),
    'accounts.update': (id, input) => accounts.update(id, input),
    'accounts.delete': (id) => accounts.delete(id),
    'accounts.setEnabled': (id, enabled) => accounts.setEnabled(id, enabled),
    'accounts.setDoNotDisturb': (id, on) => accounts.setDoNotDisturb(id, on),
    'accounts.reorder': (ids) => accounts.reorder(ids),
    'accounts.registerNow': (id) => accounts.registerNow(id),
    'registration.list': () => accounts.registrations(),
    'settings.get': () => settings.get(),
    'settings.update': (patch) => settings.update(patch),
    'calls.dial': (request) => calls.dial(request),
    'calls.answer': (callId) => calls.answer(callId),
    'calls.reject': (callId, status) => calls.reject(callId, status),
    'calls.hangup': (callId) => calls.hangup(callId),
    'calls.hold': (callId) => calls.hold(callId),
    'calls.resume': (callId) => calls.resume(callId),
    'calls.mute': (callId, muted) => calls.mute(callId, muted),
    'calls.sendDtmf': (callId, digits) => calls.sendDtmf(callId, digits),
    'calls.transfer': (callId, transfer) => calls.transfer(callId, transfer),
    'calls.list': () => calls.list(),
    'history.list': (page) => calls.history(page),
    'history.delete': (id) => calls.deleteHistory(id),
    'history.clear': () => calls.clearHistory(),
    'dialpad.ready': () => links.ready(),
    'contacts.list': () => contacts.list(),
    'contacts.create': (input) => contacts.create(input),
    'contacts.update': (id, input) => contacts.update(id, input),
    'contacts.delete': (id) => contacts.delete(id),
    'contacts.importVcard': (text) => contacts.importVcard(text),
    'contacts.exportVcard': (ids, version) => contacts.exportVcard(ids, version),
    'presence.buddies': () => presence.buddies(),
    'presence.own': () => presence.own(),
    'presence.setStatus': (request) => presence.setStatus(request),
    'presence.watchers': () => presence.watchers(),
    'presence.watchersSeen': () => presence.watchersSeen(),
    'messages.conversations': () => messages.conversations(),
    'messages.list': (page) => messages.list(page),
    'messages.send': (request) => messages.send(request),
    'messages.retry': (id) => messages.retry(id),
    'messages.markRead': (id) => messages.markRead(id),
    'messages.setComposing': (request) => messages.setComposing(request),
    'messages.search': (request) => messages.search(request),
    'messages.deleteConversation': (id) => messages.deleteConversation(id),
  };
  const router = new CommandRouter(handlers, logger);
  void accounts
    .startAll()
    .catch((error: unknown) => logger.log('error', 'starting accounts failed', { error: String(error) }));

  let stopping: Promise<void> | undefined;
  return {
    router,
    events,
    openUri: (uri) => links.open(uri),
    registrationSummary: () => accounts.summary(),
    audioPort: (callId) => callEngine?.audioPort(callId),
    shutdown(timeoutMs = 4_000) {
      stopping ??= (async () => {
        // Calls end first (BYE, CANCEL) while their accounts can still send, and their history rows are completed;
        // presence unsubscribes and removes our publications meanwhile, also before the accounts unregister
        // (presence stops first, so the calls ending does not publish "available" just before the removal); messages
        // stop arriving (a late one is answered 500 and retried by its sender) and those being sent get the same
        // time to finish, their outcomes stored before the store closes.
        await Promise.all([
          presence.stop(Math.min(timeoutMs, 1_500)).catch(() => undefined),
          calls.stop(Math.min(timeoutMs, 2_000)),
          messages.stop(Math.min(timeoutMs, 2_000)),
        ]);
        await accounts.stopAll().catch(() => undefined);
        await agents.shutdown(Math.min(timeoutMs, 1_000)).catch(() => undefined);
        contacts.stop();
        // The worker last: the calls' BYEs are out, their streams stopped; what is left is terminated.
        await Promise.resolve(worker?.close()).catch(() => undefined);
        store.close();
      })();
      // However the network behaves, quitting never waits longer than the bound (plus a little for the store).
      let timer: ReturnType<Clock['setTimer']> | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = clock.setTimer(timeoutMs + 500, resolve);
      });
      return Promise.race([stopping, deadline]).finally(() => clock.clearTimer(timer));
    },
  };
}

function appInfo(options: EngineOptions, storageError: StorageErrorDto | null): AppInfoDto {
  return {
    version: APP_VERSION,
    host: options.host,
    storageError,
    passwordProtection: options.secrets.protection,
  };
}

/** Where the engine keeps its database inside a data directory (for messages and tests). */
export function databasePathIn(dataDir: string): string {
  return join(dataDir, 'softphone.sqlite');
}
