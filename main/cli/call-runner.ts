// Where `softphone call` and `softphone answer` hand over once their arguments are checked: a CallRunner places or
// takes the calls and resolves with the exit code. The engine's calls are not wired into the CLI yet, so the default
// runner says so with an event and exits 1; the composition that builds the real runner (user agent, call usage,
// media worker, WAV files) replaces it, and tests pass their own.
import type { AnswerArgs, CallArgs } from './call-args';
import type { Output } from './output';

export interface CallRunnerIo {
  readonly output: Output;
  /** Control lines (call-control.ts) and `quit`. */
  readonly stdin: NodeJS.ReadableStream;
}

export interface CallRunner {
  /** Exit code: 0 when the call was answered and ended normally, 1 otherwise. */
  call(args: CallArgs, io: CallRunnerIo): Promise<number>;
  /** Exit code: 0 after `quit` or a signal, 1 when it could not start. */
  answer(args: AnswerArgs, io: CallRunnerIo): Promise<number>;
}

/** The stand-in until calls are wired in: one `error` event with reason `not-wired`, exit 1. */
export const notWiredCallRunner: CallRunner = {
  call: (_args, io) => notWired('call', io.output),
  answer: (_args, io) => notWired('answer', io.output),
};

function notWired(command: string, output: Output): Promise<number> {
  output.event({
    event: 'error',
    reason: 'not-wired',
    detail: `softphone ${command}: the arguments are valid, but calls are not connected to this command yet`,
  });
  return Promise.resolve(1);
}
