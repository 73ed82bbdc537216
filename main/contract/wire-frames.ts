// The web host's frames: the contract's commands, results and events as JSON text over one WebSocket. Types only:
// the web host (main/web/wire-protocol.ts) builds and checks them, the window's bridge sends and reads them.
//   client → server  {"type":"command","id":7,"name":"accounts.create","args":[{...}]}
//   server → client  {"type":"result","id":7,"result":{"ok":true,"value":{...}}}
//                    {"type":"event","name":"registration.changed","payload":{...}}
import type { CommandArgs, CommandName, EventName, Events, Result } from './contract';

export interface CommandFrame<C extends CommandName = CommandName> {
  readonly type: 'command';
  readonly id: number;
  readonly name: C;
  readonly args: CommandArgs<C>;
}

export interface ResultFrame {
  readonly type: 'result';
  readonly id: number;
  readonly result: Result<unknown>;
}

export interface EventFrame<E extends EventName = EventName> {
  readonly type: 'event';
  readonly name: E;
  readonly payload: Events[E];
}

export type ServerFrame = ResultFrame | EventFrame;
