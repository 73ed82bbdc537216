// The engine as the Electron shell uses it, and what stands in for it when it cannot start (a corrupt or read-only
// database): the window still opens, `app.info` carries the storage error so the interface shows an error screen
// instead of a blank window, and every other command answers `unavailable`.
import type { CommandDispatcher, EngineEventSource } from '../contract/contract';
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import { createUnavailableEngine as unavailableEngine } from '../services/unavailable-engine';
import type { LifecycleEngine } from './lifecycle';
import type { RegistrationSummary, StatusTrayEngine } from './tray';

export interface ShellEngine extends LifecycleEngine, StatusTrayEngine {
  readonly router: CommandDispatcher;
  readonly events: EngineEventSource;
  registrationSummary(): RegistrationSummary;
}

export interface FallbackInfo {
  readonly version: string;
  readonly passwordProtection: string;
}

export function describeStartupFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.trim() === '' ? 'The app could not open its data.' : text;
}

/** Answers `app.info` with the storage error and everything else with `unavailable`; holds nothing, does nothing. */
export function createUnavailableEngine(storageError: string, info: FallbackInfo): ShellEngine {
  return unavailableEngine({
    version: info.version,
    host: 'electron',
    storageError,
    passwordProtection: info.passwordProtection,
  });
}

/** Starts the engine, or on failure logs why and returns the stand-in. */
export async function startEngineOrFallback(
  create: () => Promise<ShellEngine>,
  info: () => FallbackInfo,
  logger: Logger = silentLogger,
): Promise<{ readonly engine: ShellEngine; readonly failure: string | null }> {
  try {
    return { engine: await create(), failure: null };
  } catch (error) {
    const failure = describeStartupFailure(error);
    logger.log('error', 'the engine could not start', {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    return { engine: createUnavailableEngine(failure, info()), failure };
  }
}
