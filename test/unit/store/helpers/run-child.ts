// Runs one of the TypeScript scripts in ./child as a separate Node process (through tsx), as the real store would run:
// its own process, its own file handles, killable.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join, resolve } from 'node:path';

const PROJECT_ROOT = resolve(import.meta.dirname, '../../../..');
const CHILD_DIR = join(import.meta.dirname, 'child');

/** The unprivileged account used to check permission errors when the tests run as root (whom chmod does not stop). */
export const NOBODY = { uid: 65_534, gid: 65_534 };

export interface ChildIdentity {
  readonly uid: number;
  readonly gid: number;
}

function argv(script: string, args: readonly string[]): string[] {
  return ['--import', 'tsx', join(CHILD_DIR, script), ...args];
}

export function startChild(script: string, args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, argv(script, args), { cwd: PROJECT_ROOT, stdio: 'pipe' });
}

/** Runs the script to completion and returns its stdout; throws with its stderr when it fails. */
export function runChild(script: string, args: readonly string[], as?: ChildIdentity): string {
  const result = spawnSync(process.execPath, argv(script, args), {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 30_000,
    // tsx keeps a cache under the temp folder; give the other user a HOME it can use.
    env: as ? { ...process.env, HOME: '/tmp' } : process.env,
    ...(as ?? {}),
  });
  if (result.status !== 0) {
    throw new Error(`child ${script} failed (${result.status ?? result.signal}): ${result.stderr}`);
  }
  return result.stdout;
}
