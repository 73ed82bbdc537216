// Starts `main/web/main.ts` as `npm run web` would (after its build step), in its own process, and reads the address
// it prints. A fixed port lets a test restart the host where an open tab expects it.
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..', '..');

export interface WebHostProcess {
  /** What a person opens: `http://127.0.0.1:PORT/#token=…`. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<number | null>;
}

export function startWebHost(dataDir: string, port = 0): Promise<WebHostProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'main', 'web', 'main.ts'), '--port', String(port), '--data-dir', dataDir],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolveHost, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error(`web host did not start:\n${stderr}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((l) => l.includes('"event":"web-host"'));
      if (!line) return;
      clearTimeout(timer);
      const url = (JSON.parse(line) as { url: string }).url;
      resolveHost({
        url,
        port: Number(new URL(url).port),
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) {
              done(child.exitCode);
              return;
            }
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`web host exited (${code}):\n${stderr}`)));
  });
}
