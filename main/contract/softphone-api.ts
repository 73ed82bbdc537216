// The shape of `window.softphone`, the interface's only door to the engine: one domain method per command of the
// contract (`softphone.accounts.create(input)` for 'accounts.create') and `on(event, listener)` for the contract's
// events. The renderer imports the type; the Electron preload and the web-host bridge both build the object with
// `buildSoftphoneApi`, so the two transports cannot drift apart. Plain TypeScript only: no Node, no Electron.
import type { CommandArgs, CommandName, CommandResult, EventName, Events, Result } from './contract';

/** 'accounts.create' → 'accounts'. */
export type CommandDomain<C extends CommandName = CommandName> = C extends `${infer D}.${string}` ? D : never;

export type DomainMethods<D extends CommandDomain> = {
  readonly [C in CommandName as C extends `${D}.${infer M}` ? M : never]: (
    ...args: CommandArgs<C>
  ) => Promise<Result<CommandResult<C>>>;
};

export type EventListener<E extends EventName> = (payload: Events[E]) => void;

/** Call audio in Electron, beside the commands: the port itself cannot cross contextBridge, so it comes apart. */
export interface SoftphoneAudioApi {
  /**
   * Asks main for the call's audio port. On success the preload has already received the port and posts it to
   * the page as a window message (AudioPortMessage, main/contract/audio-stream.ts) carrying the same `request`.
   */
  openAudio(callId: string, request: number): Promise<Result<null>>;
}

export type SoftphoneApi = {
  readonly [D in CommandDomain]: DomainMethods<D>;
} & {
  /** Listens to one of the contract's events; returns the function that stops listening. */
  on<E extends EventName>(event: E, listener: EventListener<E>): () => void;
} & Partial<SoftphoneAudioApi>;

/**
 * Every command of the contract, once. The two checks below fail to compile when a command is added to `Commands`
 * and not here (or named here and not in `Commands`), so the preload can never silently lack a method.
 */
export const commandNames = [
  'app.info',
  'accounts.list',
  'accounts.create',
  'accounts.update',
  'accounts.delete',
  'accounts.setEnabled',
  'accounts.setDoNotDisturb',
  'dialpad.ready',
  'accounts.reorder',
  'accounts.registerNow',
  'registration.list',
  'settings.get',
  'settings.update',
  'calls.dial',
  'calls.answer',
  'calls.reject',
  'calls.hangup',
  'calls.hold',
  'calls.resume',
  'calls.mute',
  'calls.sendDtmf',
  'calls.transfer',
  'calls.list',
  'history.list',
  'history.delete',
  'history.clear',
  'presence.buddies',
  'presence.own',
  'presence.setStatus',
  'presence.watchers',
  'presence.watchersSeen',
  'contacts.list',
  'contacts.create',
  'contacts.update',
  'contacts.delete',
  'contacts.importVcard',
  'contacts.exportVcard',
  'messages.conversations',
  'messages.list',
  'messages.send',
  'messages.retry',
  'messages.markRead',
  'messages.setComposing',
  'messages.search',
  'messages.deleteConversation',
] as const satisfies readonly CommandName[];

/** Every event of the contract, once; checked like `commandNames`. */
export const eventNames = [
  'registration.changed',
  'accounts.changed',
  'settings.changed',
  'dialpad.open',
  'call.changed',
  'call.quality',
  'buddy.changed',
  'buddy.removed',
  'presence.changed',
  'watchers.changed',
  'contacts.changed',
  'message.changed',
  'conversation.changed',
  'conversation.removed',
  'message.composing',
  'chat.open',
] as const satisfies readonly EventName[];

type Missing<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : Exclude<All, Listed>;
const everyCommandListed: Missing<CommandName, (typeof commandNames)[number]> = true;
const everyEventListed: Missing<EventName, (typeof eventNames)[number]> = true;
void everyCommandListed;
void everyEventListed;

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && (eventNames as readonly string[]).includes(name);
}

/** How a transport carries one command; it must answer with a Result and never reject. */
export type InvokeCommand = (name: CommandName, args: readonly unknown[]) => Promise<Result<unknown>>;

/** How a transport delivers events; returns the function that stops listening. */
export type ListenToEvent = <E extends EventName>(event: E, listener: EventListener<E>) => () => void;

/** Builds the frozen `window.softphone` object over a transport; `audio` adds call audio where it can travel. */
export function buildSoftphoneApi(
  invoke: InvokeCommand,
  listen: ListenToEvent,
  audio?: SoftphoneAudioApi,
): SoftphoneApi {
  const domains = new Map<string, Record<string, (...args: unknown[]) => Promise<Result<unknown>>>>();
  for (const name of commandNames) {
    const [domain, method] = name.split('.') as [string, string];
    const methods = domains.get(domain) ?? {};
    // Arguments are copied into a plain array: whatever the caller passed, only data crosses the boundary.
    methods[method] = (...args: unknown[]) => invoke(name, [...args]);
    domains.set(domain, methods);
  }
  const api: Record<string, unknown> = {};
  for (const [domain, methods] of domains) api[domain] = Object.freeze(methods);
  api['on'] = <E extends EventName>(event: E, listener: EventListener<E>): (() => void) => {
    if (!isEventName(event))
      throw new TypeError(`unknown event ${JSON.stringify(String(event)).slice(0, 80)}`);
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    return listen(event, listener);
  };
  if (audio) api['openAudio'] = (callId: string, request: number) => audio.openAudio(callId, request);
  return Object.freeze(api) as SoftphoneApi;
}
