// Engine → interface events, fanned out to whichever transports are attached (Electron window, web-host sockets).
import type { EngineEventListener, EngineEventSource, EventName, Events } from '../contract/contract';
import type { Logger } from '../platform/logger';
import { silentLogger } from '../platform/logger';

export class EventHub implements EngineEventSource {
  readonly #listeners = new Set<EngineEventListener>();

  constructor(private readonly logger: Logger = silentLogger) {}

  subscribe(listener: EngineEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit<E extends EventName>(name: E, payload: Events[E]): void {
    for (const listener of this.#listeners) {
      try {
        listener(name, payload);
      } catch (error) {
        // One broken transport must not stop the others from hearing about it.
        this.logger.log('warn', 'event listener failed', { event: name, error: String(error) });
      }
    }
  }
}
