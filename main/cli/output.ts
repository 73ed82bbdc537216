// The CLI's two channels: one JSON object per line on stdout (events a script consumes), human text on stderr
// (logs and, with --trace, every SIP message sent and received).
import type { LogLevel, Logger } from '../platform/logger';
import type { TraceEvent } from '../sip/transport/transport-layer';

export interface Output {
  event(payload: Record<string, unknown>): void;
  error(payload: Record<string, unknown>): void;
  readonly logger: Logger;
  trace(event: TraceEvent): void;
}

export function createOutput(
  stdout: NodeJS.WritableStream,
  stderr: NodeJS.WritableStream,
  options: { verbose?: boolean } = {},
): Output {
  const levels: LogLevel[] = options.verbose ? ['debug', 'info', 'warn', 'error'] : ['info', 'warn', 'error'];
  return {
    event: (payload) => stdout.write(`${JSON.stringify(payload)}\n`),
    error: (payload) => stderr.write(`${JSON.stringify(payload)}\n`),
    logger: {
      log(level, message, fields) {
        if (!levels.includes(level)) return;
        const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
        stderr.write(`[${level}] ${message}${extra}\n`);
      },
    },
    trace(event) {
      const arrow = event.direction === 'sent' ? '>>' : '<<';
      const text = Buffer.from(event.bytes).toString('utf8').replace(/\r\n/g, '\n');
      stderr.write(
        `${arrow} ${event.direction} ${event.protocol.toUpperCase()} ${event.local} ${event.direction === 'sent' ? '->' : '<-'} ${event.remote} (${event.bytes.length} bytes)\n${text}\n`,
      );
    },
  };
}
