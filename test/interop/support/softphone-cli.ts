// Runs the `softphone` command as a child process, as a person would, and reads its JSON event lines.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', '..', 'bin', 'softphone.js');

export type CliEvent = Record<string, unknown> & { event?: string };

export class SoftphoneProcess {
  readonly events: CliEvent[] = [];
  stderr = '';
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #exit: Promise<number>;
  #waiters: Array<() => void> = [];

  constructor(args: readonly string[]) {
    this.#child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let pending = '';
    this.#child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      let newline = pending.indexOf('\n');
      while (newline >= 0) {
        const line = pending.slice(0, newline).trim();
        pending = pending.slice(newline + 1);
        if (line) this.events.push(JSON.parse(line) as CliEvent);
        newline = pending.indexOf('\n');
      }
      this.#wake();
    });
    this.#child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.#exit = new Promise((resolve) =>
      this.#child.on('exit', (code, signal) => {
        this.#wake();
        resolve(code ?? (signal ? 128 : 1));
      }),
    );
  }

  /** Resolves with the first event (from the start) matching `predicate`, or rejects after `timeoutMs`. */
  async waitFor(predicate: (event: CliEvent) => boolean, timeoutMs = 15_000, from = 0): Promise<CliEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.slice(from).find(predicate);
      if (found) return found;
      if (this.#child.exitCode !== null)
        throw new Error(`softphone exited (${this.#child.exitCode}) first:\n${this.stderr}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`timed out waiting for an event; got ${JSON.stringify(this.events)}\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  registrationStates(): string[] {
    return this.events.filter((e) => e.event === 'registration').map((e) => String(e['state']));
  }

  async port(): Promise<number> {
    const listening = await this.waitFor((e) => e.event === 'listening');
    return Number(listening['port']);
  }

  /** Writes one line to the command's stdin (a call control such as `{"cmd":"hold"}`). */
  send(line: string): void {
    this.#child.stdin.write(`${line}\n`);
  }

  quit(): Promise<number> {
    this.#child.stdin.write('quit\n');
    return this.#exit;
  }

  signal(signal: NodeJS.Signals): Promise<number> {
    this.#child.kill(signal);
    return this.#exit;
  }

  exited(): Promise<number> {
    return this.#exit;
  }

  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }
}

export function runSoftphone(args: readonly string[]): SoftphoneProcess {
  return new SoftphoneProcess(args);
}
