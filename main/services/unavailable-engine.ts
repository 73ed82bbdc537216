// The one stand-in for an engine that cannot work: the store could not be opened (degraded mode, built by
// createEngine) or the engine could not even be built (the Electron shell's fallback). `app.info` answers with the
// reason so the window shows its error screen, and every other command, derived from the contract's command list so
// a new command needs nothing here, answers `unavailable`.
import type { AppInfoDto, CommandName } from '../contract/contract';
import { commandNames } from '../contract/softphone-api';
import { type CommandHandlers, CommandRouter } from './command-router';
import type { Engine } from './engine-facade';
import { EventHub } from './event-hub';
import { ServiceError } from './service-error';

/** Handlers for every command: `app.info` answers `info`, the others throw `unavailable`. */
export function unavailableHandlers(info: AppInfoDto): CommandHandlers {
  const unavailable = (): never => {
    // A technical message: the window's words for `unavailable` go above it.
    const cause = info.storageError;
    throw new ServiceError(
      'unavailable',
      cause ? `store ${cause.kind}: ${cause.path}: ${cause.detail}` : 'the store is not open',
    );
  };
  const handlers: Partial<Record<CommandName, () => unknown>> = {};
  for (const name of commandNames) handlers[name] = unavailable;
  handlers['app.info'] = () => info;
  return handlers as CommandHandlers;
}

/** An engine that holds nothing and does nothing but explain itself; `events` lets the dialpad still open links. */
export function createUnavailableEngine(info: AppInfoDto, events: EventHub = new EventHub()): Engine {
  return {
    router: new CommandRouter(unavailableHandlers(info)),
    events,
    openUri: (uri) => events.emit('dialpad.open', { uri }),
    registrationSummary: () => ({ registered: 0, failing: 0, total: 0 }),
    shutdown: () => Promise.resolve(),
  };
}
