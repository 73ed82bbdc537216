// Kamailio 5.6 as a resource list server (rls) with its presence server, for the RFC 4662 interop test: one process
// tree on a free loopback port with its own run directory (config: test/interop/kamailio/rls.cfg). The lists are
// RFC 4826 rls-services documents, one per watcher, in the xcap table rls reads (its integrated XCAP server mode);
// rls keeps its tables in db_text files (see the config for why), presence and pua in SQLite files of their own.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireExecutable } from './peers';
import { LOOPBACK, freeUdpPort } from './ports';
import { endGroup, trackGroup, untrackGroup } from './processes';
import { sendUdpRequest } from './sip-probe';

export const RLS_CONFIG = join(import.meta.dirname, '..', 'kamailio', 'rls.cfg');

export interface ResourceList {
  /** Whose list it is: the From user of the list SUBSCRIBE (rls looks the document up by the watcher). */
  readonly owner: string;
  /** The list's URI, e.g. `sip:friends@example.test`. */
  readonly uri: string;
  readonly members: readonly string[];
}

export interface RlsServerOptions {
  readonly lists: readonly ResourceList[];
  readonly domain?: string;
}

export interface RlsServer {
  readonly port: number;
  /** `sip:127.0.0.1:PORT`: the outbound proxy to give a UA. */
  readonly proxyUri: string;
  readonly logPath: string;
  readLog(): Promise<string>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 5_000;

/** The SQLite tables presence (5.6) and pua check at start-up, with the versions they expect. */
const PRESENCE_SQL = [
  'PRAGMA journal_mode=WAL;',
  'CREATE TABLE version (id INTEGER PRIMARY KEY NOT NULL, table_name VARCHAR(32) NOT NULL UNIQUE,',
  '  table_version INTEGER DEFAULT 0 NOT NULL);',
  "INSERT INTO version (table_name, table_version) VALUES ('version', 1), ('presentity', 5),",
  "  ('active_watchers', 12), ('watchers', 3), ('xcap', 4), ('pua', 7);",
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
  'CREATE TABLE pua (id INTEGER PRIMARY KEY NOT NULL, pres_uri VARCHAR(255) NOT NULL, pres_id VARCHAR(255) NOT NULL,',
  '  event INTEGER NOT NULL, expires INTEGER NOT NULL, desired_expires INTEGER NOT NULL, flag INTEGER NOT NULL,',
  '  etag VARCHAR(128) NOT NULL, tuple_id VARCHAR(64), watcher_uri VARCHAR(255) NOT NULL,',
  '  call_id VARCHAR(255) NOT NULL, to_tag VARCHAR(128) NOT NULL, from_tag VARCHAR(128) NOT NULL,',
  '  cseq INTEGER NOT NULL, record_route TEXT, contact VARCHAR(255) NOT NULL, remote_contact VARCHAR(255) NOT NULL,',
  '  version INTEGER NOT NULL, extra_headers TEXT NOT NULL, UNIQUE (etag, tuple_id, call_id, from_tag));',
  '',
].join('\n');

/** xcap doc_type of an rls-services document (Kamailio's RLS_SERVICE, 1<<3). */
const RLS_SERVICES_DOC_TYPE = 8;

/** db_text tables: a header line of typed columns, then one row per line with `:` between fields. */
const DBTEXT_HEADERS: Readonly<Record<string, string>> = {
  version: 'id(int,auto) table_name(string) table_version(int)',
  rls_watchers:
    'id(int,auto) presentity_uri(string) to_user(string) to_domain(string) watcher_username(string) ' +
    'watcher_domain(string) event(string) event_id(string,null) to_tag(string) from_tag(string) callid(string) ' +
    'local_cseq(int) remote_cseq(int) contact(string) record_route(string,null) expires(int) status(int) ' +
    'reason(string,null) version(int) socket_info(string) local_contact(string) from_user(string) ' +
    'from_domain(string) updated(int)',
  rls_presentity:
    'id(int,auto) rlsubs_did(string) resource_uri(string) content_type(string) presence_state(string) ' +
    'expires(int) updated(int) auth_state(int) reason(string,null)',
  xcap:
    'id(int,auto) username(string) domain(string) doc(string) doc_type(int) etag(string) source(int) ' +
    'doc_uri(string) port(int)',
};

/** RFC 4826 §4: one service per list, its members inline, for the presence package. */
export function rlsServicesDocument(lists: readonly ResourceList[]): string {
  const services = lists.map(
    (list) =>
      `<service uri="${list.uri}"><list name="${list.owner}-list">` +
      list.members.map((member) => `<rl:entry uri="${member}"/>`).join('') +
      '</list><packages><package>presence</package></packages></service>',
  );
  return (
    '<?xml version="1.0" encoding="UTF-8"?><rls-services xmlns="urn:ietf:params:xml:ns:rls-services" ' +
    `xmlns:rl="urn:ietf:params:xml:ns:resource-lists">${services.join('')}</rls-services>`
  );
}

/** A db_text field: `:`, `\`, and line ends are escaped (the format's own separators). */
function dbtextField(value: string | number): string {
  return String(value).replace(/[\\:\n\r]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\${c}`));
}

async function writeRlsTables(dir: string, lists: readonly ResourceList[], domain: string): Promise<void> {
  await mkdir(dir);
  const rows = (name: string, lines: ReadonlyArray<ReadonlyArray<string | number>>): string =>
    `${DBTEXT_HEADERS[name]} \n${lines.map((line) => `${line.map(dbtextField).join(':')}\n`).join('')}`;
  const owners = [...new Set(lists.map((list) => list.owner))];
  await Promise.all([
    writeFile(
      join(dir, 'version'),
      rows('version', [
        [0, 'version', 1],
        [1, 'rls_presentity', 1],
        [2, 'rls_watchers', 3],
        [3, 'xcap', 4],
      ]),
    ),
    writeFile(join(dir, 'rls_watchers'), rows('rls_watchers', [])),
    writeFile(join(dir, 'rls_presentity'), rows('rls_presentity', [])),
    writeFile(
      join(dir, 'xcap'),
      rows(
        'xcap',
        owners.map((owner, index) => [
          index + 1,
          owner,
          domain,
          rlsServicesDocument(lists.filter((list) => list.owner === owner)),
          RLS_SERVICES_DOC_TYPE,
          `etag-${index + 1}`,
          1,
          `rls-services/users/sip:${owner}@${domain}/index`,
          0,
        ]),
      ),
    ),
  ]);
}

function runSqlite(sqlite: string, path: string, sql: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(sqlite, ['-batch', '-bail', path], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`sqlite3 failed (exit ${code}): ${stderr.trim()}`)),
    );
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

export async function startRlsServer(options: RlsServerOptions): Promise<RlsServer> {
  const kamailio = requireExecutable('kamailio');
  const sqlite = requireExecutable('sqlite3');
  const domain = options.domain ?? 'example.test';
  const runDir = await mkdtemp(join(tmpdir(), 'softphone-rls-'));
  const presenceDb = join(runDir, 'presence.sqlite');
  const puaDb = join(runDir, 'pua.sqlite');
  const rlsDir = join(runDir, 'rls-db');
  const logPath = join(runDir, 'kamailio.log');
  await runSqlite(sqlite, presenceDb, PRESENCE_SQL);
  await runSqlite(sqlite, puaDb, PRESENCE_SQL);
  await writeRlsTables(rlsDir, options.lists, domain);
  const port = await freeUdpPort();
  const server = `sip:${LOOPBACK}:${port}`;
  const args = [
    '-f',
    RLS_CONFIG,
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
    `SERVER_URI="${server}"`,
    '-A',
    `RLS_CONTACT="sip:rls@${LOOPBACK}:${port}"`,
    '-A',
    `SIP_DOMAIN="${domain}"`,
    '-A',
    `PRESENCE_DB_URL="sqlite://${presenceDb}"`,
    '-A',
    `PUA_DB_URL="sqlite://${puaDb}"`,
    '-A',
    `RLS_DB_URL="text://${rlsDir}"`,
  ];
  const logFd = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    // detached: its own process group, so stop() reaches every Kamailio process with one signal.
    child = spawn(kamailio, args, { cwd: runDir, detached: true, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  let hasExited = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      hasExited = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const pgid = child.pid!;
  trackGroup(pgid);
  const stop = async (): Promise<void> => {
    await endGroup(pgid, 'SIGTERM', 3_000);
    await exited;
    if (process.env.SOFTPHONE_KEEP_PEER_LOGS !== '1') await rm(runDir, { recursive: true, force: true });
  };
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (hasExited) {
      untrackGroup(pgid);
      throw new Error(`kamailio (rls) exited during start-up; log ${logPath}:\n${await tail(logPath)}`);
    }
    try {
      const response = await sendUdpRequest(
        port,
        { method: 'OPTIONS', requestUri: server, from: 'sip:probe@127.0.0.1', to: server },
        { timeoutMs: 200 },
      );
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      const log = await tail(logPath);
      await stop();
      throw new Error(`kamailio (rls) not ready within ${READY_TIMEOUT_MS} ms:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    proxyUri: server,
    logPath,
    readLog: () => readFile(logPath, 'utf8').catch(() => ''),
    stop,
  };
}
