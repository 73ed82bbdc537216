// The `softphone` command: headless access to the engine. One JSON object per line on stdout, logs on stderr.
import { UsageError } from './args';
import { listenCommand } from './listen-command';
import { createOutput } from './output';
import { parseCommand } from './parse-command';
import { registerCommand } from './register-command';

const USAGE = `usage: softphone <command> [options]

commands:
  parse [FILE|-]                      parse one SIP message and print it as JSON
  register --aor URI --password PW    register and stay registered until SIGINT/SIGTERM or "quit" on stdin
           [--auth-user U] [--display-name NAME] [--proxy URI] [--registrar URI]
           [--transport udp|tcp] [--bind IP:PORT] [--expires SECONDS]
           [--keepalive SECONDS] [--keepalive-kind crlf|options] [--retry-base S] [--retry-max S] [--trace]
  listen [--bind IP:PORT] [--trace]   answer as a UA without registering; print incoming requests

The password may also come from the SOFTPHONE_PASSWORD environment variable.`;

export async function main(
  argv: readonly string[],
  io: {
    stdout: NodeJS.WritableStream;
    stderr: NodeJS.WritableStream;
    stdin: NodeJS.ReadableStream;
  } = process,
): Promise<number> {
  const [command, ...rest] = argv;
  const output = createOutput(io.stdout, io.stderr, { verbose: rest.includes('--verbose') });
  const args = rest.filter((arg) => arg !== '--verbose');
  try {
    switch (command) {
      case 'parse':
        return await parseCommand(args, output, io.stdin);
      case 'register':
        return await registerCommand(args, output, io.stdin);
      case 'listen':
        return await listenCommand(args, output, io.stdin);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stderr.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      default:
        io.stderr.write(`unknown command: ${command}\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      output.error({ error: error.message });
      return 2;
    }
    output.error({ error: error instanceof Error ? error.message : String(error) });
    return 1;
  }
}
