// SIPp 3.6 as a scripted SIP peer for interop tests: scenarios live in test/interop/sipp/, every port is explicit
// (-p, -mp, -cp) and on loopback, and each run keeps its message and error logs for the test to judge.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { freeUdpPort, freePort, freeUdpPortPair, freeWildcardUdpPort, isPortInUse, LOOPBACK } from './ports';
import { requireExecutable } from './peers';
import { endGroup, trackGroup, untrackGroup } from './processes';

export { peersAvailable } from './peers';

export const SIPP_SCENARIO_DIR = join(import.meta.dirname, '..', 'sipp');

export interface SippOptions {
  /** Scenario file name relative to test/interop/sipp (e.g. `uac-options.xml`, `selftest/x.xml`) or absolute. */
  readonly scenario: string;
  /** `host:port` of the peer; required for UAC scenarios, left out for UAS scenarios. */
  readonly remote?: string;
  /** `-p`; a free port is picked when left out. */
  readonly localPort?: number;
  /** `-mp` (SIPp also binds mediaPort + 2); picked when left out. */
  readonly mediaPort?: number;
  /** `-cp` (bound on 0.0.0.0); picked when left out. */
  readonly controlPort?: number;
  /** `-t u1` (default) or `-t t1`. */
  readonly transport?: 'udp' | 'tcp';
  /** `-s`: the [service] keyword, the user part scenarios address. */
  readonly service?: string;
  /** `-au` / `-ap`: credentials for `auth="true"` receives and `[authentication]`. */
  readonly auth?: { readonly username: string; readonly password: string };
  /** `-key name value` for each entry: the scenario's custom [name] keywords. */
  readonly keys?: Readonly<Record<string, string>>;
  /** `-m`: calls to run before exiting. Default 1. */
  readonly calls?: number;
  /** `-timeout N s -timeout_error`: the whole run fails after this many seconds. */
  readonly timeoutSec: number;
  readonly extraArgs?: readonly string[];
}

export interface SippResult {
  /** SIPp's exit code: 0 all calls passed, 1 some failed, 97/99 internal exits, 255 fatal; -1 killed by signal. */
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
  /** The -trace_msg log: every message sent and received, retransmissions included. */
  readonly messageLog: string;
  /** The -trace_err log: unexpected messages, failed checks, discarded messages. */
  readonly errorLog: string;
  /** SIPp's stdout/stderr (statistics screens, start-up errors). */
  readonly output: string;
  readonly args: readonly string[];
}

export interface SippHandle {
  readonly localPort: number;
  readonly mediaPort: number;
  readonly controlPort: number;
  readonly transport: 'udp' | 'tcp';
  /** `sip:127.0.0.1:PORT` (with `;transport=tcp` for TCP): where a UA under test sends to reach this SIPp. */
  readonly uri: string;
  readonly pid: number;
  /** Resolves when SIPp exits by itself (or after stop()). */
  done(): Promise<SippResult>;
  /** Ends SIPp now (SIGTERM, SIGKILL after 2 s) and resolves with what it logged so far. */
  stop(): Promise<SippResult>;
  /** The message log as written so far (SIPp flushes each message). */
  messageLogSoFar(): Promise<string>;
}

const READY_TIMEOUT_MS = 5000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return '';
  }
}

function scenarioPath(scenario: string): string {
  return isAbsolute(scenario) ? scenario : join(SIPP_SCENARIO_DIR, scenario);
}

/** Starts SIPp and returns once its SIP port is bound (UAS scenarios can then be driven right away). */
export async function startSipp(options: SippOptions): Promise<SippHandle> {
  const sipp = requireExecutable('sipp');
  const transport = options.transport ?? 'udp';
  const localPort = options.localPort ?? (transport === 'tcp' ? await freePort() : await freeUdpPort());
  const mediaPort = options.mediaPort ?? (await freeUdpPortPair(2));
  const controlPort = options.controlPort ?? (await freeWildcardUdpPort());
  const runDir = await mkdtemp(join(tmpdir(), 'softphone-sipp-'));
  const messagePath = join(runDir, 'messages.log');
  const errorPath = join(runDir, 'errors.log');
  const outputPath = join(runDir, 'output.log');

  const args: string[] = [];
  if (options.remote !== undefined) args.push(options.remote);
  args.push(
    '-sf',
    scenarioPath(options.scenario),
    '-i',
    LOOPBACK,
    '-p',
    String(localPort),
    '-mp',
    String(mediaPort),
    '-mi',
    LOOPBACK,
    '-cp',
    String(controlPort),
    '-t',
    transport === 'tcp' ? 't1' : 'u1',
    '-m',
    String(options.calls ?? 1),
    '-timeout',
    `${options.timeoutSec}s`,
    '-timeout_error',
    '-nostdin',
    '-trace_msg',
    '-message_file',
    messagePath,
    '-trace_err',
    '-error_file',
    errorPath,
  );
  if (options.service !== undefined) args.push('-s', options.service);
  if (options.auth !== undefined) args.push('-au', options.auth.username, '-ap', options.auth.password);
  for (const [name, value] of Object.entries(options.keys ?? {})) args.push('-key', name, value);
  args.push(...(options.extraArgs ?? []));

  const outputFd = openSync(outputPath, 'w');
  // detached: its own process group, so a stop reaches SIPp and nothing else.
  const child = spawn(sipp, args, { cwd: runDir, detached: true, stdio: ['ignore', outputFd, outputFd] });
  closeSync(outputFd);
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const pid = child.pid!;
  trackGroup(pid);

  let exitInfo: { code: number; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      untrackGroup(pid);
      exitInfo = { code: code ?? -1, signal };
      resolve(exitInfo);
    });
  });

  let result: Promise<SippResult> | undefined;
  const collect = (): Promise<SippResult> => {
    result ??= (async () => {
      const { code, signal } = await exited;
      const collected: SippResult = {
        code,
        signal,
        messageLog: await readOrEmpty(messagePath),
        errorLog: await readOrEmpty(errorPath),
        output: await readOrEmpty(outputPath),
        args,
      };
      if (process.env.SOFTPHONE_KEEP_PEER_LOGS !== '1') await rm(runDir, { recursive: true, force: true });
      return collected;
    })();
    return result;
  };

  // Ready when the SIP port is bound, read from /proc so the probe cannot race SIPp's own bind. A TCP client
  // may never listen on -p, so only servers and UDP are waited for.
  const mustWait = options.remote === undefined || transport === 'udp';
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (mustWait && !(await isPortInUse(localPort, transport))) {
    if (exitInfo !== undefined) break;
    if (performance.now() > deadline) {
      await endGroup(pid, 'SIGKILL');
      const failed = await collect();
      throw new Error(`sipp did not bind port ${localPort}: ${failed.output.slice(-2000)}`);
    }
    await delay(20);
  }

  return {
    localPort,
    mediaPort,
    controlPort,
    transport,
    uri: `sip:${LOOPBACK}:${localPort}${transport === 'tcp' ? ';transport=tcp' : ''}`,
    pid,
    done: collect,
    stop: async () => {
      if (exitInfo === undefined) await endGroup(pid, 'SIGTERM', 2000);
      return collect();
    },
    messageLogSoFar: () => readOrEmpty(messagePath),
  };
}

/** Runs a scenario to completion. */
export async function runSipp(options: SippOptions): Promise<SippResult> {
  return (await startSipp(options)).done();
}

export interface LoggedMessage {
  /** Wall-clock time SIPp logged, in epoch milliseconds (microsecond fraction kept). */
  readonly time: number;
  readonly direction: 'sent' | 'received';
  readonly transport: string;
  /** The SIP message with CRLF line ends. */
  readonly text: string;
  /** Request method, or undefined for a response. */
  readonly method: string | undefined;
  /** Response status, or undefined for a request. */
  readonly status: number | undefined;
  /** First value of a header, case-insensitive (compact forms are not expanded). */
  header(name: string): string | undefined;
}

const ENTRY_START = /^-{10,} (\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{6})\s*$/;
const DIRECTION = /^(\w+) message (sent|received)/;

/**
 * Splits a -trace_msg log into messages. Retransmissions appear as separate entries, so timing checks
 * (Timer E/F, RFC 3261 §17.1.2.2) can be made from the `time` values.
 */
export function parseMessageLog(log: string): LoggedMessage[] {
  const messages: LoggedMessage[] = [];
  // SIPp writes its own lines with LF and the messages with their CRLF: compare lines without the CR.
  const lines = log.split('\n').map((line) => line.replace(/\r$/, ''));
  let i = 0;
  while (i < lines.length) {
    const start = ENTRY_START.exec(lines[i] ?? '');
    if (!start) {
      i++;
      continue;
    }
    const [year, month, day, hour, minute, second, micros] = start.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    // SIPp logs local time.
    const time = new Date(year, month - 1, day, hour, minute, second).getTime() + micros / 1000;
    const direction = DIRECTION.exec(lines[i + 1] ?? '');
    i += 2;
    const body: string[] = [];
    while (i < lines.length && !ENTRY_START.test(lines[i] ?? '')) body.push(lines[i++]!);
    if (!direction) continue;
    // SIPp puts a blank line between the direction line and the message, and more after it.
    while (body.length > 0 && body[0]!.trim() === '') body.shift();
    while (body.length > 0 && body[body.length - 1]!.trim() === '') body.pop();
    const firstLine = body[0] ?? '';
    const statusMatch = /^SIP\/2\.0 (\d{3})/.exec(firstLine);
    const blank = body.findIndex((line) => line === '');
    const headerLines = body.slice(1, blank < 0 ? body.length : blank);
    messages.push({
      time,
      direction: direction[2] as 'sent' | 'received',
      transport: direction[1]!,
      text: body.join('\r\n'),
      method: statusMatch ? undefined : firstLine.split(' ')[0],
      status: statusMatch ? Number(statusMatch[1]) : undefined,
      header(name: string): string | undefined {
        const wanted = name.toLowerCase();
        for (const line of headerLines) {
          const colon = line.indexOf(':');
          if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) {
            return line.slice(colon + 1).trim();
          }
        }
        return undefined;
      },
    });
  }
  return messages;
}
