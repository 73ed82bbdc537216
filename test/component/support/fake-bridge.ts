// A Bridge for component tests: records every command, answers from handlers the test installs (else from the engine
// it was given, else with an error), delivers that engine's events, and lets the test push events and connection
// changes itself.
import type {
  CommandArgs,
  CommandDispatcher,
  CommandName,
  CommandResult,
  EngineEventSource,
  EventName,
  Events,
  Result,
} from '../../../main/contract/contract';
import type { AudioChannel } from '../../../renderer/src/lib/audio-channel';
import type { Bridge, ConnectionState, EventListener } from '../../../renderer/src/lib/bridge';

export type FakeHandler<C extends CommandName> = (
  ...args: CommandArgs<C>
) => Result<CommandResult<C>> | Promise<Result<CommandResult<C>>>;

type Handlers = { [C in CommandName]?: FakeHandler<C> };

export interface RecordedCall {
  readonly name: CommandName;
  readonly args: readonly unknown[];
}

export class FakeBridge implements Bridge {
  readonly calls: RecordedCall[] = [];
  #handlers: Handlers = {};
  #listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  #connectionListeners = new Set<(state: ConnectionState) => void>();
  #connection: ConnectionState = { kind: 'open' };
  /** How openAudio answers; without it, `unavailable`. The ids asked for are in `audioOpened`. */
  audio: ((callId: string) => Result<AudioChannel> | Promise<Result<AudioChannel>>) | null = null;
  readonly audioOpened: string[] = [];

  constructor(
    readonly kind: 'electron' | 'web' = 'web',
    private readonly engine?: { readonly router: CommandDispatcher; readonly events: EngineEventSource },
  ) {
    engine?.events.subscribe((name, payload) => this.emit(name, payload));
  }

  handle<C extends CommandName>(name: C, handler: FakeHandler<C>): this {
    (this.#handlers as Record<string, unknown>)[name] = handler;
    return this;
  }

  async invoke<C extends CommandName>(name: C, ...args: CommandArgs<C>): Promise<Result<CommandResult<C>>> {
    this.calls.push({ name, args });
    const handler = this.#handlers[name] as FakeHandler<C> | undefined;
    if (handler) return handler(...args);
    if (this.engine) return (await this.engine.router.dispatch(name, args)) as Result<CommandResult<C>>;
    return { ok: false, error: { code: 'internal', message: `no fake handler for ${name}` } };
  }

  /** The argument lists of every call of one command, in order. */
  callsOf<C extends CommandName>(name: C): CommandArgs<C>[] {
    return this.calls.filter((call) => call.name === name).map((call) => call.args as CommandArgs<C>);
  }

  on<E extends EventName>(event: E, listener: EventListener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const wrapped = listener as (payload: unknown) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const listener of this.#listeners.get(event) ?? []) listener(payload);
  }

  listenerCount(event: EventName): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.#connectionListeners.add(listener);
    listener(this.#connection);
    return () => this.#connectionListeners.delete(listener);
  }

  async openAudio(callId: string): Promise<Result<AudioChannel>> {
    this.audioOpened.push(callId);
    if (this.audio) return this.audio(callId);
    return { ok: false, error: { code: 'unavailable', message: 'no fake call audio' } };
  }

  setConnection(state: ConnectionState): void {
    this.#connection = state;
    for (const listener of this.#connectionListeners) listener(state);
  }
}
