// The `softphone` command: headless access to the engine. One JSON object per line on stdout, logs on stderr; help
// and the version go to stdout. Commands load lazily, so `--help` and `--version` never load the SIP stack.
import { UsageError, parseCommandOptions } from './args';
import { type CommandSpec, commandSpecs, findCommand } from './command-specs';
import { commandHelp, generalHelp } from './help';
import { type Output, createOutput } from './output';
import { closestName } from './suggest';
import type { CallRunner } from './call-runner';
import type { StartUserAgent } from './user-agent-factory';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  /** Where SOFTPHONE_PASSWORD is read; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface CliDeps {
  /** The package version that `--version` prints. */
  readonly version: string;
  /** How commands build their user agent; the real sockets and clock unless a test passes its own. */
  readonly startUserAgent?: StartUserAgent;
  /** What `call` and `answer` run once their arguments are checked; `systemCallRunner` by default. */
  readonly callRunner?: CallRunner;
}

/** Runs one invocation and resolves with its exit code: 0 success, 1 failure, 2 usage error. */
export async function main(
  argv: readonly string[],
  io: CliIo = process,
  deps: CliDeps = { version: 'unknown' },
): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(generalHelp(deps.version));
    return 2;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    const spec = topic === undefined ? undefined : findCommand(topic);
    if (topic !== undefined && spec === undefined) return unknownCommand(topic, io);
    io.stdout.write(spec ? commandHelp(spec) : generalHelp(deps.version));
    return 0;
  }
  if (first === '--version' || first === '-V') {
    io.stdout.write(`softphone ${deps.version}\n`);
    return 0;
  }
  const spec = findCommand(first);
  if (spec === undefined) return unknownCommand(first, io);

  const output = createOutput(io.stdout, io.stderr, { verbose: rest.includes('--verbose') });
  try {
    const options = parseCommandOptions(spec, rest);
    if (options.flag('help')) {
      io.stdout.write(commandHelp(spec));
      return 0;
    }
    return await run(spec, options, output, io, deps);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`softphone ${spec.name}: ${error.message}\n`);
      return 2;
    }
    output.error({ error: error instanceof Error ? error.message : String(error) });
    return 1;
  }
}

async function run(
  spec: CommandSpec,
  options: ReturnType<typeof parseCommandOptions>,
  output: Output,
  io: CliIo,
  deps: CliDeps,
): Promise<number> {
  const env = io.env ?? process.env;
  const startUserAgent = deps.startUserAgent ?? (await import('./user-agent-factory')).startSystemUserAgent;
  switch (spec.name) {
    case 'parse':
      return (await import('./parse-command')).parseCommand(options.positionals, output, io.stdin);
    case 'register':
      return (await import('./register-command')).registerCommand(options, output, io.stdin, {
        env,
        startUserAgent,
      });
    case 'watch':
      return (await import('./watch-command')).watchCommand(options, output, io.stdin, {
        env,
        startUserAgent,
      });
    case 'publish':
      return (await import('./publish-command')).publishCommand(options, output, io.stdin, {
        env,
        startUserAgent,
      });
    case 'message':
      return (await import('./message-command')).messageCommand(options, output, { env, startUserAgent });
    case 'listen':
      return (await import('./listen-command')).listenCommand(options, output, io.stdin, { startUserAgent });
    case 'call':
    case 'answer': {
      const { answerArgs, callArgs } = await import('./call-args');
      const runner =
        deps.callRunner ?? (await import('./system-call-runner')).systemCallRunner({ startUserAgent });
      const callIo = { output, stdin: io.stdin };
      return spec.name === 'call'
        ? runner.call(callArgs(options, env), callIo)
        : runner.answer(answerArgs(options, env), callIo);
    }
    default:
      throw new Error(`no runner for ${spec.name}`);
  }
}

function unknownCommand(name: string, io: CliIo): number {
  const suggestion = closestName(
    name,
    commandSpecs.map((spec) => spec.name),
  );
  io.stderr.write(
    `softphone: unknown command "${name}"${suggestion ? `; did you mean "${suggestion}"?` : ''}\n` +
      `Run "softphone --help" for the list of commands.\n`,
  );
  return 2;
}
