// The `softphone` command run in-process for unit tests of its commands: argv in, JSON lines out (parsed), stdin to
// write "quit" to, and a ManualClock driven in 100 ms steps while the command works.
import { PassThrough } from 'node:stream';
import { main } from '../../main/cli/index';
import type { StartUserAgent } from '../../main/cli/user-agent-factory';
import type { ManualClock } from './manual-clock';
import { settle } from './settle';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return { stream, text: () => text };
}

/** Runs `softphone argv` with the given user agent factory and environment, recording what it prints. */
export function runCli(argv: string[], startUserAgent: StartUserAgent, env: Record<string, string> = {}) {
  const stdout = capture();
  const stderr = capture();
  const stdin = new PassThrough();
  const code = main(
    argv,
    { stdout: stdout.stream, stderr: stderr.stream, stdin, env },
    { version: '1', startUserAgent },
  );
  let done: number | undefined;
  void code.then((value) => (done = value));
  const events = (): Record<string, unknown>[] =>
    stdout
      .text()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  /** The command modules load lazily (real time): wait for the first line before driving the manual clock. */
  const started = async (): Promise<void> => {
    for (let i = 0; i < 200 && stdout.text() === '' && done === undefined; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
  };
  return { code, stdin, events, stderr: stderr.text, done: () => done, started };
}

/** Advances `clock` in 100 ms steps, settling in between, for up to `untilMs` or until `stop` says so. */
export async function drive(
  clock: ManualClock,
  untilMs: number,
  stop: () => boolean = () => false,
): Promise<void> {
  for (let elapsed = 0; elapsed <= untilMs && !stop(); elapsed += 100) {
    await settle(clock);
    clock.advance(100);
  }
  await settle(clock);
}
