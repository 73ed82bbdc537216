// Kamailio 5.6 as a resource list server (rls) with its presence server, for the RFC 4662 interop test: one process
// tree on a free loopback port with its own run directory (config: test/interop/kamailio/rls.cfg). The lists are
// RFC 4826 rls-services documents, one per watcher, in the xcap table rls reads (its integrated XCAP server mode);
// rls keeps its tables in db_text files (see the config for why), presence and pua in SQLite files of their own.
// The process itself starts as the registrar's does (spawnKamailio in kamailio.ts).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { presenceSql, runSqlite, spawnKamailio } from './kamailio';
import { requireExecutable } from './peers';
import { LOOPBACK, freeUdpPort } from './ports';
import { endGroup } from './processes';

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

export async function startRlsServer(options: RlsServerOptions): Promise<RlsServer> {
  const kamailio = requireExecutable('kamailio');
  const sqlite = requireExecutable('sqlite3');
  const domain = options.domain ?? 'example.test';
  const runDir = await mkdtemp(join(tmpdir(), 'softphone-rls-'));
  const presenceDb = join(runDir, 'presence.sqlite');
  const puaDb = join(runDir, 'pua.sqlite');
  const rlsDir = join(runDir, 'rls-db');
  const logPath = join(runDir, 'kamailio.log');
  const tables = presenceSql({ pua: true });
  await runSqlite(sqlite, presenceDb, tables);
  await runSqlite(sqlite, puaDb, tables);
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
  const deadline = performance.now() + READY_TIMEOUT_MS;
  const { pgid, exited } = await spawnKamailio(kamailio, args, { runDir, logPath, port, deadline });
  return {
    port,
    proxyUri: server,
    logPath,
    readLog: () => readFile(logPath, 'utf8').catch(() => ''),
    stop: async () => {
      await endGroup(pgid, 'SIGTERM', 3_000);
      await exited;
      if (process.env.SOFTPHONE_KEEP_PEER_LOGS !== '1') await rm(runDir, { recursive: true, force: true });
    },
  };
}
