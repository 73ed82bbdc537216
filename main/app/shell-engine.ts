// The engine as the Electron shell uses it, and what stands in for it when it cannot start (a corrupt or read-only
// database): the window still opens, `app.info` carries the storage error so the interface shows an error screen
// instead of a blank window, and every other command answers `unavailable`.
import type {
  CommandDispatcher,
  EngineEventSource,
  PasswordProtectionDto,
  StorageErrorDto,
} from '../contract/contract';
import type { AudioStreamEndpoint } from '../media/session/audio-stream-endpoint';
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';
import { DataFolderInUseError } from '../services/engine';
import { createUnavailableEngine as unavailableEngine } from '../services/unavailable-engine';
import type { LifecycleEngine } from './lifecycle';
import type { RegistrationSummary, StatusTrayEngine } from './tray';

export interface ShellEngine extends LifecycleEngine, StatusTrayEngine {
  readonly router: CommandDispatcher;
  readonly events: EngineEventSource;
  registrationSummary(): RegistrationSummary;
  /** A live call's audio for the window's stream port; the stand-in has none. */
  audioPort?(callId: string): AudioStreamEndpoint | undefined;
}

export interface FallbackInfo {
  readonly version: string;
  readonly passwordProtection: PasswordProtectionDto;
  /** The database file the engine would have opened, named on the error screen. */
  readonly databasePath: string;
}

/**
 * Why the engine could not start, as the storage error the window shows: the store's own error when another engine
 * holds the folder, otherwise `unknown` with whatever was thrown as the detail.
 */
export function describeStartupFailure(error: unknown, databasePath: string): StorageErrorDto {
  if (error instanceof DataFolderInUseError) return error.error;
  const text = (error instanceof Error ? error.message : String(error)).trim();
  return {
    kind: 'unknown',
    path: databasePath,
    detail: text === '' ? 'the engine failed to start without saying why' : text,
    holderPid: null,
  };
}

/** Answers `app.info` with the storage error and everything else with `unavailable`; holds nothing, does nothing. */
export function createUnavailableEngine(storageError: StorageErrorDto, info: FallbackInfo): ShellEngine {
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
): Promise<{ readonly engine: ShellEngine; readonly failure: StorageErrorDto | null }> {
  try {
    return { engine: await create(), failure: null };
  } catch (error) {
    const fallback = info();
    const failure = describeStartupFailure(error, fallback.databasePath);
    logger.log('error', 'the engine could not start', {
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    return { engine: createUnavailableEngine(failure, fallback), failure };
  }
}
