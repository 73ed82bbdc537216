// `npm run web`: the engine in a plain Node process with the web host in front of it. Prints the URL to open (with
// the token) for a person and one JSON line for scripts and tests, then runs until SIGINT/SIGTERM and shuts down in
// order: unregister and close the store (bounded), then close the sockets and the HTTP server.
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Clock, SystemClock } from '../platform/clock';
import type { LogLevel, Logger } from '../platform/logger';
import { DataFolderInUseError } from '../services/engine';
import { FileKeyCipher } from '../store/file-key-cipher';
import type { SecretCipher } from '../store/secret-cipher';
import { WEB_USAGE, WebUsageError, defaultWebDataDir, parseWebArgs } from './web-args';
import { type WebHostEngine, startWebHost } from './web-host';

export interface WebEngine extends WebHostEngine {
  shutdown(timeoutMs?: number): Promise<void>;
}

export type WebEngineFactory = (options: {
  dataDir: string;
  secrets: SecretCipher;
  host: 'web';
  logger: Logger;
  warmMediaAtStart: boolean;
}) => Promise<WebEngine>;

export interface WebMainDependencies {
  readonly createEngine: WebEngineFactory;
  /** out/renderer, unless --renderer-dir says otherwise. */
  readonly rendererDir: string;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM in the real entry). */
  readonly stopRequested: Promise<void>;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long unregistering may take at shutdown before the host closes anyway. */
  readonly shutdownTimeoutMs?: number;
  /** Bounds the shutdown; the system clock by default. */
  readonly clock?: Clock;
}

/** Runs the web host until asked to stop; resolves with the process exit code. */
export async function runWebHost(argv: readonly string[], deps: WebMainDependencies): Promise<number> {
  const { stdout, stderr } = deps;
  const clock = deps.clock ?? new SystemClock();
  let args;
  try {
    args = parseWebArgs(argv, { dataDir: defaultWebDataDir(deps.env), rendererDir: deps.rendererDir });
  } catch (error) {
    if (!(error instanceof WebUsageError)) throw error;
    stderr.write(`${error.message}\n${WEB_USAGE}\n`);
    return 2;
  }
  if (args.help) {
    stdout.write(`${WEB_USAGE}\n`);
    return 0;
  }
  try {
    await access(join(args.rendererDir, 'index.html'));
  } catch {
    stderr.write(
      `The interface is not built: ${join(args.rendererDir, 'index.html')} is missing. Run \`npm run build\` first (\`npm run web\` does it for you).\n`,
    );
    return 1;
  }

  const logger = stderrLogger(stderr, args.verbose);
  // The folder holds the database and the password key: the owner's alone.
  await mkdir(args.dataDir, { recursive: true, mode: 0o700 });
  let engine: WebEngine;
  try {
    engine = await deps.createEngine({
      dataDir: args.dataDir,
      secrets: FileKeyCipher.inDirectory(args.dataDir),
      host: 'web',
      logger,
      warmMediaAtStart: true,
    });
  } catch (error) {
    stderr.write(`The web host could not start: ${startFailureLine(error)}\n`);
    return 1;
  }
  let host;
  try {
    host = await startWebHost({ engine, rendererDir: args.rendererDir, port: args.port, logger });
  } catch (error) {
    stderr.write(`The web host could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    await withDeadline(
      clock,
      engine.shutdown(deps.shutdownTimeoutMs ?? 3_000),
      (deps.shutdownTimeoutMs ?? 3_000) + 2_000,
    );
    return 1;
  }
  stdout.write(`Softphone web host: ${host.url}\n`);
  stdout.write(
    `${JSON.stringify({ event: 'web-host', url: host.url, origin: host.origin, port: host.port })}\n`,
  );

  await deps.stopRequested;
  logger.log('info', 'web host stopping');
  const timeoutMs = deps.shutdownTimeoutMs ?? 3_000;
  // The engine bounds its own unregistering; this bound is for an engine that does not keep that promise.
  const outcome = await withDeadline(clock, engine.shutdown(timeoutMs), timeoutMs + 2_000);
  if (outcome !== 'done') logger.log('error', 'engine shutdown did not finish', { outcome });
  await host.close();
  stdout.write(`${JSON.stringify({ event: 'web-host-stopped' })}\n`);
  return 0;
}

/**
 * The terminal's words for an engine that refused to start. The engine sends data; the window has its own words for
 * the same case, and this host, which has no window yet at this point, says it for the person at its terminal.
 */
export function startFailureLine(error: unknown): string {
  if (!(error instanceof DataFolderInUseError)) return error instanceof Error ? error.message : String(error);
  const pid = error.error.holderPid;
  const holder = pid === null ? 'another softphone engine' : `another softphone engine, process ${pid}`;
  return (
    `The data folder ${error.dataDir} is in use by ${holder} (the app or \`npm run web\`). Only one may use a data ` +
    `folder at a time: close the other one, or give this one another folder with --data-dir.`
  );
}

function stderrLogger(stderr: NodeJS.WritableStream, verbose: boolean): Logger {
  const shown: readonly LogLevel[] = verbose ? ['debug', 'info', 'warn', 'error'] : ['info', 'warn', 'error'];
  return {
    log(level, message, fields) {
      if (!shown.includes(level)) return;
      const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
      stderr.write(`[${level}] ${message}${extra}\n`);
    },
  };
}

async function withDeadline(clock: Clock, work: Promise<void>, ms: number): Promise<string> {
  let timer: ReturnType<Clock['setTimer']> | undefined;
  const deadline = new Promise<string>((resolve) => {
    timer = clock.setTimer(ms, () => resolve(`timed out after ${ms} ms`));
  });
  try {
    return await Promise.race([
      work.then(
        () => 'done',
        (error: unknown) => `failed: ${error instanceof Error ? error.message : String(error)}`,
      ),
      deadline,
    ]);
  } finally {
    clock.clearTimer(timer);
  }
}
