// The CPU-floor benchmark's child processes (bench/call-cpu-floor.ts): the C deadline sleeper, compiled at bench
// time with the system's C compiler, and the UDP echo peer, each started here and stopped without leaving strays.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');

export interface StartedChild {
  readonly pid: number;
  /** Whether it has exited (by itself or stopped). */
  readonly exited: boolean;
  /** SIGTERM, then SIGKILL if it has not gone 2 s later; also removes what it was built into. */
  stop(): Promise<void>;
}

function pause(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  await Promise.race([exited, pause(2000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function started(child: ChildProcess, cleanUp: () => Promise<void> = async () => undefined): StartedChild {
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${child.spawnfile} did not start`);
  return {
    pid,
    get exited() {
      return child.exitCode !== null || child.signalCode !== null;
    },
    async stop() {
      await stopChild(child);
      await cleanUp();
    },
  };
}

/**
 * Compiles bench/calls/deadline-sleeper.c with `compiler` into a temporary folder and starts it; a string says why
 * it could not (no compiler, a failed build), for the benchmark's row.
 */
export async function startDeadlineSleeper(compiler = 'cc'): Promise<StartedChild | string> {
  const dir = await mkdtemp(join(tmpdir(), 'softphone-floor-'));
  const removeDir = (): Promise<void> => rm(dir, { recursive: true, force: true });
  const program = join(dir, 'deadline-sleeper');
  const built = spawnSync(
    compiler,
    ['-O2', '-std=c11', '-o', program, join(import.meta.dirname, 'deadline-sleeper.c')],
    { encoding: 'utf8' },
  );
  if (built.error !== undefined || built.status !== 0) {
    await removeDir();
    if ((built.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
      return `no C compiler (\`${compiler}\`) on this machine`;
    }
    const why = built.error?.message ?? (built.stderr.trim().split('\n')[0] || `exit ${built.status}`);
    return `\`${compiler}\` failed: ${why}`;
  }
  try {
    return started(spawn(program, [], { stdio: 'ignore' }), removeDir);
  } catch (error) {
    await removeDir();
    throw error;
  }
}

export interface EchoPeer extends StartedChild {
  /** Its UDP port on 127.0.0.1. */
  readonly port: number;
}

/** Starts bench/calls/udp-echo-peer.ts (through tsx) and waits until it has bound. */
export async function startEchoPeer(delayMs: number): Promise<EchoPeer> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'udp-echo-peer.ts'), String(delayMs)],
    { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const handle = started(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-2000);
  });
  try {
    const port = await new Promise<number>((done, fail) => {
      const lines = createInterface({ input: child.stdout! });
      const timer = setTimeout(
        () => fail(new Error('the UDP echo peer did not report a port in 10 s')),
        10_000,
      );
      child.once('exit', (code) => {
        clearTimeout(timer);
        // Its stderr may still be arriving: give it a turn.
        setImmediate(() =>
          fail(new Error(`the UDP echo peer exited (${code}) before binding: ${stderr.trim()}`)),
        );
      });
      lines.on('line', (line) => {
        const match = /^port (\d+)$/.exec(line);
        if (match === null) return;
        clearTimeout(timer);
        lines.close();
        done(Number(match[1]));
      });
    });
    return {
      pid: handle.pid,
      port,
      get exited() {
        return handle.exited;
      },
      stop: () => handle.stop(),
    };
  } catch (error) {
    await handle.stop();
    throw error;
  }
}
