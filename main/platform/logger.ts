// Logging as a seam: the engine reports through this interface; the CLI writes it to stderr, tests capture it.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { log: () => undefined };
