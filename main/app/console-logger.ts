// The Electron main process logs to its console (the terminal in development, the system log when launched from a
// desktop environment). Debug lines only when SOFTPHONE_DEBUG is set.
import type { LogLevel, Logger } from '../platform/logger';

export function createConsoleLogger(
  debug: boolean,
  write: (line: string) => void = (line) => console.error(line),
): Logger {
  return {
    log(level: LogLevel, message: string, fields?: Record<string, unknown>): void {
      if (level === 'debug' && !debug) return;
      const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
      write(`[${new Date().toISOString()}] ${level} ${message}${extra}`);
    },
  };
}
