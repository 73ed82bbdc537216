// Kamailio 5.6 as the registrar and proxy for interop tests: one child process tree per test file, on free
// loopback ports, with its own run directory, SQLite subscriber table and log file (config:
// test/interop/kamailio/registrar.cfg).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, readFile, unlink } from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, LOOPBACK } from './ports';
import { requireExecutable } from './peers';
import { sendUdpRequest } from './sip-probe';
import { parseUlDump, type Binding } from './kamcmd-tree';
import { endGroup, trackGroup, untrackGroup } from './processes';

export { peersAvailable } from './peers';
export type { Binding } from './kamcmd-tree';

const execFileAsync = promisify(execFile);

export const KAMAILIO_CONFIG = join(import.meta.dirname, '..', 'kamailio', 'registrar.cfg');
/** The silo table msilo needs (offlineMessages). */
export const MSILO_SCHEMA = join(import.meta.dirname, '..', 'kamailio', 'msilo.sql');

export interface KamailioUser {
  readonly username: string;
  readonly password: string;
}

export interface KamailioOptions {
  readonly users: readonly KamailioUser[];
  /** SIP domain, digest realm and Kamailio's only alias. Never resolved. Default `example.test`. */
  readonly domain?: string;
  /** registrar min_expires (seconds); shorter requests get 423 Interval Too Brief. Default 1. */
  readonly minExpires?: number;
  /** registrar max_expires (seconds); longer requests are cut down to it. Default 3600. */
  readonly maxExpires?: number;
  /** registrar default_expires, for REGISTERs without any expiry. Default 3600. */
  readonly defaultExpires?: number;
  /** Kamailio `debug` level: 2 (info) by default, 3 for debug logs. */
  readonly debugLevel?: number;
  /**
   * Whether local users' initial INVITEs get the 407 digest challenge (as every other initial request of theirs
   * does). Default true; false lets a test place calls without credentials.
   */
  readonly challengeInvites?: boolean;
  /**
   * Puts an impairment relay (test/support/impairment-relay.ts) in the media path of calls through this proxy:
   * SDP sent by `aUser` is rewritten to the relay's b-side ports, SDP sent by anyone else to its a-side ports
   * (m= port, and a=rtcp as the next port up), so both ends send RTP and RTCP through the relay.
   */
  readonly mediaRelay?: { readonly aUser: string; readonly portA: number; readonly portB: number };
  /** Be the presence server (presence, presence_xml with presence.winfo), its tables in their own SQLite file. */
  readonly presence?: boolean;
  /**
   * Keep MESSAGEs for users without a binding (msilo: 202 Accepted) and deliver them when the user registers; the
   * silo table in its own SQLite file, made from test/interop/kamailio/msilo.sql.
   */
  readonly offlineMessages?: boolean;
}

/** The -A defines of the config's media relay route: one subst expression per port to write. */
function mediaRelayDefines(relay: NonNullable<KamailioOptions['mediaRelay']>): string[] {
  // The user name lands inside a quoted define: keep it to characters that need no escaping there.
  if (!/^[A-Za-z0-9._-]+$/.test(relay.aUser)) {
    throw new Error(`media relay user ${relay.aUser} is not a plain name`);
  }
  const sdp = (port: number) => `"/m=audio [0-9]+ /m=audio ${port} /"`;
  const rtcp = (port: number) => `"/a=rtcp:[0-9]+/a=rtcp:${port + 1}/"`;
  return [
    `MEDIA_RELAY_A_USER="${relay.aUser}"`,
    `MEDIA_RELAY_SDP_FROM_A=${sdp(relay.portB)}`,
    `MEDIA_RELAY_RTCP_FROM_A=${rtcp(relay.portB)}`,
    `MEDIA_RELAY_SDP_FROM_B=${sdp(relay.portA)}`,
    `MEDIA_RELAY_RTCP_FROM_B=${rtcp(relay.portA)}`,
  ].flatMap((define) => ['-A', define]);
}

export interface KamailioHandle {
  readonly host: typeof LOOPBACK;
  /** The UDP and TCP listening port. */
  readonly port: number;
  readonly domain: string;
  /** Log file (Kamailio's stderr, appended across restarts). */
  readonly logPath: string;
  readonly runDir: string;
  /** Process group id of the running instance (its main process id), or undefined when stopped. */
  readonly pid: number | undefined;
  /** `sip:user@domain`. */
  uri(user: string): string;
  /** The outbound proxy URI to give a UA, e.g. `sip:127.0.0.1:5070;transport=tcp`; UDP leaves the param out. */
  proxyUri(transport?: 'udp' | 'tcp'): string;
  /** Current usrloc bindings (`kamcmd ul.dump`). */
  ulDump(): Promise<Binding[]>;
  /** Runs any kamcmd RPC and returns its raw output, e.g. `rpc('ul.rm', 'location', 'alice')`. */
  rpc(method: string, ...params: string[]): Promise<string>;
  /** Log text so far, for failure messages. */
  readLog(): Promise<string>;
  /** Messages msilo holds now (offlineMessages only), oldest first, bodies as text. */
  storedMessages(): Promise<Array<{ readonly to: string; readonly body: string }>>;
  /** Graceful stop (SIGTERM, then SIGKILL after 3 s) of the whole process group; removes the run dir. */
  stop(): Promise<void>;
  /** Sends `signal` to the whole process group and waits until every process in it is gone (crash tests). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops if running, then starts again on the same ports with the same users; usrloc starts empty. */
  restart(): Promise<void>;
}

const READY_TIMEOUT_MS = 5000;
const STOP_GRACE_MS = 3000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * The subscriber table as auth_db in Kamailio 5.6 reads it (table version 7; `version` is how Kamailio checks
 * it). Only username/domain/password are used: calculate_ha1 is on, so ha1/ha1b stay empty.
 */
function subscriberSql(users: readonly KamailioUser[], domain: string): string {
  const rows = users.map(
    (u) =>
      `INSERT INTO subscriber (username, domain, password) VALUES (${sqlString(u.username)}, ${sqlString(domain)}, ${sqlString(u.password)});`,
  );
  return [
    'PRAGMA journal_mode=WAL;',
    'CREATE TABLE version (',
    '  id INTEGER PRIMARY KEY NOT NULL,',
    '  table_name VARCHAR(32) NOT NULL UNIQUE,',
    '  table_version INTEGER DEFAULT 0 NOT NULL);',
    "INSERT INTO version (table_name, table_version) VALUES ('version', 1), ('subscriber', 7);",
    'CREATE TABLE subscriber (',
    '  id INTEGER PRIMARY KEY NOT NULL,',
    "  username VARCHAR(64) DEFAULT '' NOT NULL,",
    "  domain VARCHAR(64) DEFAULT '' NOT NULL,",
    "  password VARCHAR(64) DEFAULT '' NOT NULL,",
    "  ha1 VARCHAR(128) DEFAULT '' NOT NULL,",
    "  ha1b VARCHAR(128) DEFAULT '' NOT NULL,",
    '  UNIQUE (username, domain));',
    'CREATE INDEX subscriber_username_idx ON subscriber (username);',
    ...rows,
    '',
  ].join('\n');
}

/**
 * The tables Kamailio 5.6's presence module checks at start-up (by the versions in `version`): presentity (5),
 * active_watchers (12), watchers (3) and xcap (4, read by presence_xml); with `pua`, also the pua module's pua (7).
 * Columns as that version reads them.
 */
export function presenceSql(options: { readonly pua?: boolean } = {}): string {
  return [
    'PRAGMA journal_mode=WAL;',
    'CREATE TABLE version (id INTEGER PRIMARY KEY NOT NULL, table_name VARCHAR(32) NOT NULL UNIQUE,',
    '  table_version INTEGER DEFAULT 0 NOT NULL);',
    "INSERT INTO version (table_name, table_version) VALUES ('version', 1), ('presentity', 5),",
    `  ('active_watchers', 12), ('watchers', 3), ('xcap', 4)${options.pua ? ", ('pua', 7)" : ''};`,
    'CREATE TABLE presentity (id INTEGER PRIMARY KEY NOT NULL, username VARCHAR(64) NOT NULL,',
    '  domain VARCHAR(64) NOT NULL, event VARCHAR(64) NOT NULL, etag VARCHAR(128) NOT NULL,',
    '  expires INTEGER NOT NULL, received_time INTEGER NOT NULL, body BLOB NOT NULL, sender VARCHAR(255) NOT NULL,',
    '  priority INTEGER DEFAULT 0 NOT NULL, ruid VARCHAR(64), UNIQUE (username, domain, event, etag), UNIQUE (ruid));',
    'CREATE TABLE active_watchers (id INTEGER PRIMARY KEY NOT NULL, presentity_uri VARCHAR(255) NOT NULL,',
    '  watcher_username VARCHAR(64) NOT NULL, watcher_domain VARCHAR(64) NOT NULL, to_user VARCHAR(64) NOT NULL,',
    "  to_domain VARCHAR(64) NOT NULL, event VARCHAR(64) DEFAULT 'presence' NOT NULL, event_id VARCHAR(64),",
    '  to_tag VARCHAR(128) NOT NULL, from_tag VARCHAR(128) NOT NULL, callid VARCHAR(255) NOT NULL,',
    '  local_cseq INTEGER NOT NULL, remote_cseq INTEGER NOT NULL, contact VARCHAR(255) NOT NULL, record_route TEXT,',
    '  expires INTEGER NOT NULL, status INTEGER DEFAULT 2 NOT NULL, reason VARCHAR(64),',
    '  version INTEGER DEFAULT 0 NOT NULL, socket_info VARCHAR(64) NOT NULL, local_contact VARCHAR(255) NOT NULL,',
    '  from_user VARCHAR(64) NOT NULL, from_domain VARCHAR(64) NOT NULL, updated INTEGER NOT NULL,',
    "  updated_winfo INTEGER NOT NULL, flags INTEGER DEFAULT 0 NOT NULL, user_agent VARCHAR(255) DEFAULT '',",
    '  UNIQUE (callid, to_tag, from_tag));',
    'CREATE TABLE watchers (id INTEGER PRIMARY KEY NOT NULL, presentity_uri VARCHAR(255) NOT NULL,',
    "  watcher_username VARCHAR(64) NOT NULL, watcher_domain VARCHAR(64) NOT NULL, event VARCHAR(64) DEFAULT 'presence' NOT NULL,",
    '  status INTEGER NOT NULL, reason VARCHAR(64), inserted_time INTEGER NOT NULL,',
    '  UNIQUE (presentity_uri, watcher_username, watcher_domain, event));',
    'CREATE TABLE xcap (id INTEGER PRIMARY KEY NOT NULL, username VARCHAR(64) NOT NULL, domain VARCHAR(64) NOT NULL,',
    '  doc BLOB NOT NULL, doc_type INTEGER NOT NULL, etag VARCHAR(128) NOT NULL, source INTEGER NOT NULL,',
    '  doc_uri VARCHAR(255) NOT NULL, port INTEGER NOT NULL, UNIQUE (doc_uri));',
    ...(options.pua
      ? [
          'CREATE TABLE pua (id INTEGER PRIMARY KEY NOT NULL, pres_uri VARCHAR(255) NOT NULL, pres_id VARCHAR(255) NOT NULL,',
          '  event INTEGER NOT NULL, expires INTEGER NOT NULL, desired_expires INTEGER NOT NULL, flag INTEGER NOT NULL,',
          '  etag VARCHAR(128) NOT NULL, tuple_id VARCHAR(64), watcher_uri VARCHAR(255) NOT NULL,',
          '  call_id VARCHAR(255) NOT NULL, to_tag VARCHAR(128) NOT NULL, from_tag VARCHAR(128) NOT NULL,',
          '  cseq INTEGER NOT NULL, record_route TEXT, contact VARCHAR(255) NOT NULL, remote_contact VARCHAR(255) NOT NULL,',
          '  version INTEGER NOT NULL, extra_headers TEXT NOT NULL, UNIQUE (etag, tuple_id, call_id, from_tag));',
        ]
      : []),
    '',
  ].join('\n');
}

/** Runs `sql` through the sqlite3 shell on the database file `dbPath` (made if absent). */
export function runSqlite(sqlite: string, dbPath: string, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(sqlite, ['-batch', '-bail', dbPath], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`sqlite3 failed (exit ${code}): ${stderr.trim()}`));
    });
    child.stdin.end(sql);
  });
}

async function tail(path: string, lines = 40): Promise<string> {
  try {
    return (await readFile(path, 'utf8')).split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface KamailioProcess {
  /** Process group id (the main process's id): one signal reaches every Kamailio process. */
  readonly pgid: number;
  /** Settles once Node has reaped the main process. */
  readonly exited: Promise<void>;
}

/**
 * Starts `kamailio` with `args` in a process group of its own (detached), stdout and stderr appended to `logPath`,
 * and waits until it answers OPTIONS on UDP `port`. If it exits first, or is not ready by `deadline` (a
 * `performance.now()` time), nothing of it is left running and the error carries the log's tail.
 */
export async function spawnKamailio(
  kamailio: string,
  args: readonly string[],
  where: {
    readonly runDir: string;
    readonly logPath: string;
    readonly port: number;
    readonly deadline: number;
  },
): Promise<KamailioProcess> {
  const { runDir, logPath, port, deadline } = where;
  const logFd = openSync(logPath, 'a');
  let started: ChildProcess;
  try {
    started = spawn(kamailio, args, { cwd: runDir, detached: true, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  let exitCode: number | null = null;
  let hasExited = false;
  const exited = new Promise<void>((resolve) => {
    started.once('exit', (code) => {
      exitCode = code;
      hasExited = true;
      resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    started.once('spawn', resolve);
    started.once('error', reject);
  });
  const pgid = started.pid!;
  trackGroup(pgid);
  const self = `sip:${LOOPBACK}:${port}`;
  for (;;) {
    if (hasExited) {
      untrackGroup(pgid);
      throw new Error(
        `kamailio exited with code ${exitCode} during start-up; log ${logPath}:\n${await tail(logPath)}`,
      );
    }
    try {
      const response = await sendUdpRequest(
        port,
        { method: 'OPTIONS', requestUri: self, from: 'sip:probe@127.0.0.1', to: self },
        { timeoutMs: 200 },
      );
      if (response.status === 200) return { pgid, exited };
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      await endGroup(pgid, 'SIGKILL', STOP_GRACE_MS);
      await exited;
      throw new Error(`kamailio not ready in time; log ${logPath}:\n${await tail(logPath)}`);
    }
    await delay(50);
  }
}

export async function startKamailio(options: KamailioOptions): Promise<KamailioHandle> {
  const kamailio = requireExecutable('kamailio');
  const kamcmd = requireExecutable('kamcmd');
  const sqlite = requireExecutable('sqlite3');

  const domain = options.domain ?? 'example.test';
  const runDir = await mkdtemp(join(tmpdir(), 'softphone-kamailio-'));
  const dbPath = join(runDir, 'auth.sqlite');
  const ctlSocket = join(runDir, 'kamailio.ctl');
  const rpcFifo = join(runDir, 'kamailio_rpc.fifo');
  const logPath = join(runDir, 'kamailio.log');
  await runSqlite(sqlite, dbPath, subscriberSql(options.users, domain));
  const presenceDbPath = join(runDir, 'presence.sqlite');
  if (options.presence) await runSqlite(sqlite, presenceDbPath, presenceSql());
  const msiloDbPath = join(runDir, 'msilo.sqlite');
  if (options.offlineMessages) await runSqlite(sqlite, msiloDbPath, await readFile(MSILO_SCHEMA, 'utf8'));
  const port = await freePort();

  // String defines carry their quotes; the listen defines must not (listen= wants a bare socket spec).
  const args = [
    '-f',
    KAMAILIO_CONFIG,
    '-DD',
    '-E',
    '-Y',
    runDir,
    '-m',
    '64',
    '-M',
    '8',
    '-A',
    `LISTEN_UDP=udp:${LOOPBACK}:${port}`,
    '-A',
    `LISTEN_TCP=tcp:${LOOPBACK}:${port}`,
    '-A',
    `SIP_DOMAIN="${domain}"`,
    '-A',
    `DB_URL="sqlite://${dbPath}"`,
    '-A',
    `CTL_SOCKET="unix:${ctlSocket}"`,
    '-A',
    `RPC_FIFO="${rpcFifo}"`,
    '-A',
    `MIN_EXPIRES=${options.minExpires ?? 1}`,
    '-A',
    `MAX_EXPIRES=${options.maxExpires ?? 3600}`,
    '-A',
    `DEFAULT_EXPIRES=${options.defaultExpires ?? 3600}`,
    '-A',
    `DEBUG_LEVEL=${options.debugLevel ?? 2}`,
    ...(options.challengeInvites === false ? ['-A', 'NO_INVITE_CHALLENGE'] : []),
    ...(options.presence
      ? ['-A', 'WITH_PRESENCE', '-A', `PRESENCE_DB_URL="sqlite://${presenceDbPath}"`]
      : []),
    ...(options.offlineMessages
      ? [
          '-A',
          'WITH_MSILO',
          '-A',
          `MSILO_DB_URL="sqlite://${msiloDbPath}"`,
          '-A',
          `MSILO_SELF="sip:${LOOPBACK}:${port}"`,
        ]
      : []),
    ...(options.mediaRelay === undefined ? [] : mediaRelayDefines(options.mediaRelay)),
  ];

  let pgid: number | undefined;
  let exited: Promise<void> = Promise.resolve();

  async function launch(): Promise<void> {
    // Leftovers of a killed instance would make ctl/jsonrpcs fail to bind.
    await Promise.all([unlink(ctlSocket).catch(() => {}), unlink(rpcFifo).catch(() => {})]);
    // detached: its own process group, so stop()/kill() reach every Kamailio child with one signal.
    const deadline = performance.now() + READY_TIMEOUT_MS;
    ({ pgid, exited } = await spawnKamailio(kamailio, args, { runDir, logPath, port, deadline }));
    // The ctl process may come up a moment after the SIP workers.
    while (!(await kamcmdReady())) {
      if (performance.now() > deadline) {
        await killGroup('SIGKILL');
        throw new Error(`kamailio ctl socket not ready; log ${logPath}:\n${await tail(logPath)}`);
      }
      await delay(50);
    }
  }

  async function kamcmdReady(): Promise<boolean> {
    try {
      await execFileAsync(kamcmd, ['-s', `unix:${ctlSocket}`, 'core.version'], { timeout: 2000 });
      return true;
    } catch {
      return false;
    }
  }

  async function killGroup(signal: NodeJS.Signals): Promise<void> {
    const group = pgid;
    if (group === undefined) return;
    await endGroup(group, signal, STOP_GRACE_MS);
    // The main process is our child: wait for Node to reap it, so nothing of this instance is left behind.
    await exited;
    pgid = undefined;
  }

  async function rpc(method: string, ...params: string[]): Promise<string> {
    const { stdout } = await execFileAsync(kamcmd, ['-s', `unix:${ctlSocket}`, method, ...params], {
      timeout: 5000,
    });
    return stdout;
  }

  await launch();

  return {
    host: LOOPBACK,
    port,
    domain,
    logPath,
    runDir,
    get pid() {
      return pgid;
    },
    uri: (user) => `sip:${user}@${domain}`,
    proxyUri: (transport = 'udp') => `sip:${LOOPBACK}:${port}${transport === 'tcp' ? ';transport=tcp' : ''}`,
    ulDump: async () => parseUlDump(await rpc('ul.dump')),
    rpc,
    readLog: async () => readFile(logPath, 'utf8'),
    storedMessages: async () => {
      const { stdout } = await execFileAsync(sqlite, [
        '-json',
        msiloDbPath,
        'SELECT dst_addr AS "to", CAST(body AS TEXT) AS body FROM silo ORDER BY id',
      ]);
      return stdout.trim() === '' ? [] : (JSON.parse(stdout) as Array<{ to: string; body: string }>);
    },
    stop: async () => {
      await killGroup('SIGTERM');
      if (process.env.SOFTPHONE_KEEP_PEER_LOGS !== '1') await rm(runDir, { recursive: true, force: true });
    },
    kill: (signal = 'SIGKILL') => killGroup(signal),
    restart: async () => {
      await killGroup('SIGTERM');
      await launch();
    },
  };
}
