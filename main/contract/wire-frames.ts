// The web host's frames: the contract's commands, results and events as JSON text over one WebSocket. Types only:
// the web host (main/web/wire-protocol.ts) builds and checks them, the window's bridge sends and reads them.
//   client → server  {"type":"command","id":7,"name":"accounts.create","args":[{...}]}
//   server → client  {"type":"result","id":7,"result":{"ok":true,"value":{...}}}
//                    {"type":"event","name":"registration.changed","payload":{...}}
// A call's audio travels on the same socket. The window asks for it and gets a small stream number:
//   client → server  {"type":"audio.open","id":8,"callId":"c1"}   → result {"ok":true,"value":{"stream":1}}
//                    {"type":"audio.close","id":9,"stream":1}      → result {"ok":true,"value":null}
//   server → client  {"type":"audio.closed","stream":1,"reason":"replaced"}   (or "ended"; never for audio.close)
//   both ways        binary [stream: uint16 little-endian][960 samples: int16 little-endian] = 1,922 bytes
// (the sizes are in audio-stream.ts).
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

export type ServerFrame = ResultFrame | EventFrame | AudioClosedFrame;

export interface AudioOpenFrame {
  readonly type: 'audio.open';
  readonly id: number;
  readonly callId: string;
}

/** The value of a successful audio.open result. */
export interface AudioOpened {
  readonly stream: number;
}

export interface AudioCloseFrame {
  readonly type: 'audio.close';
  readonly id: number;
  readonly stream: number;
}

/** The host closed a stream: the call ended, or another window took its audio. */
export interface AudioClosedFrame {
  readonly type: 'audio.closed';
  readonly stream: number;
  readonly reason: 'ended' | 'replaced';
}

export type ClientFrame = CommandFrame | AudioOpenFrame | AudioCloseFrame;
