// The WebSocket side of the web host: accepts sockets the HTTP layer has already vetted (Host, Origin, token),
// answers command frames through the command router and fans engine events out to every socket. One slow or stuck
// browser tab must not hold memory for the others: a socket whose unsent data passes a limit is dropped. Binary
// frames are call audio (socket-audio.ts), which drops what a slow tab cannot take instead.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { CommandDispatcher, EventName, Events, Result } from '../contract/contract';
import type { Clock } from '../platform/clock';
import type { Logger } from '../platform/logger';
import type { CallAudioClaims } from '../services/call-audio-claims';
import { type AudioCounters, SocketAudio } from './socket-audio';
import { CloseCode, eventFrame, parseClientFrame, resultFrame } from './wire-protocol';

export interface SocketEndpointOptions {
  readonly dispatcher: CommandDispatcher;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Largest frame accepted from a browser; bigger ones close the socket (1009). */
  readonly maxPayloadBytes: number;
  /** Unsent bytes a socket may queue before it is dropped as too slow. */
  readonly maxBufferedBytes: number;
  /** Commands one socket may have running at once. */
  readonly maxInFlight: number;
  /** How long close() waits for browsers to finish the closing handshake. */
  readonly closeGraceMs: number;
  /** The calls' audio streams; without it audio.open answers `unavailable`. */
  readonly audio?: CallAudioClaims | null;
}

export class SocketEndpoint {
  readonly #options: SocketEndpointOptions;
  readonly #server: WebSocketServer;
  readonly #inFlight = new Map<WebSocket, number>();
  readonly #audio = new Map<WebSocket, SocketAudio>();
  /** Counters of sockets already gone, so the totals survive reloads. */
  #audioGone: AudioCounters = { droppedIn: 0, droppedOut: 0, framesIn: 0, framesOut: 0 };
  #closed = false;

  constructor(options: SocketEndpointOptions) {
    this.#options = options;
    this.#server = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxPayloadBytes,
      // Compression would let a small frame inflate into a large one and costs CPU for no gain on loopback.
      perMessageDeflate: false,
    });
  }

  get clientCount(): number {
    return this.#inFlight.size;
  }

  /** Completes a handshake the caller has already authorised. */
  accept(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.#closed) {
      socket.destroy();
      return;
    }
    this.#server.handleUpgrade(request, socket, head, (ws) => this.#attach(ws));
  }

  /** Audio frames carried and dropped, over every socket so far. */
  get audioCounters(): AudioCounters {
    const total = { ...this.#audioGone };
    for (const audio of this.#audio.values()) addCounters(total, audio.counters);
    return total;
  }

  broadcast<E extends EventName>(name: E, payload: Events[E]): void {
    if (this.#inFlight.size === 0) return;
    let text: string;
    try {
      text = JSON.stringify(eventFrame(name, payload));
    } catch (error) {
      this.#options.logger.log('error', `web host could not encode event ${name}`, { error: String(error) });
      return;
    }
    for (const ws of this.#inFlight.keys()) this.#send(ws, text);
  }

  /** Says goodbye to every socket, waits a bounded time for the handshakes, then cuts whatever is left. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const sockets = [...this.#inFlight.keys()];
    const closed = sockets.map(
      (ws) =>
        new Promise<void>((resolve) => {
          if (ws.readyState === WebSocket.CLOSED) resolve();
          else ws.once('close', () => resolve());
        }),
    );
    for (const ws of sockets) ws.close(CloseCode.goingAway, 'web host shutting down');
    let timer: ReturnType<Clock['setTimer']> | undefined;
    await Promise.race([
      Promise.all(closed),
      new Promise<void>((resolve) => {
        timer = this.#options.clock.setTimer(this.#options.closeGraceMs, resolve);
      }),
    ]);
    this.#options.clock.clearTimer(timer);
    for (const ws of sockets) if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #attach(ws: WebSocket): void {
    if (this.#closed) {
      ws.terminate();
      return;
    }
    this.#inFlight.set(ws, 0);
    this.#audio.set(
      ws,
      new SocketAudio(
        {
          get bufferedAmount() {
            return ws.bufferedAmount;
          },
          sendBinary: (packet) => {
            if (ws.readyState === WebSocket.OPEN) ws.send(packet, { binary: true });
          },
          sendText: (text) => this.#send(ws, text),
        },
        this.#options.audio ?? null,
      ),
    );
    this.#options.logger.log('info', 'web host socket connected', { sockets: this.#inFlight.size });
    // Oversized frames and protocol errors surface here before ws closes the socket; without a listener they
    // would be thrown as an unhandled 'error' event and take the host down.
    ws.on('error', (error) =>
      this.#options.logger.log('warn', 'web host socket error', { error: error.message }),
    );
    ws.on('close', (code) => {
      this.#inFlight.delete(ws);
      const audio = this.#audio.get(ws);
      this.#audio.delete(ws);
      if (audio) {
        audio.dispose();
        addCounters(this.#audioGone, audio.counters);
      }
      this.#options.logger.log('info', 'web host socket closed', { code, sockets: this.#inFlight.size });
    });
    ws.on('message', (data, isBinary) => this.#receive(ws, data, isBinary));
  }

  #receive(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      const audio = this.#audio.get(ws);
      if (audio && !audio.receive(rawBytes(data)))
        ws.close(CloseCode.policyViolation, 'audio frames without an open stream');
      return;
    }
    const frame = parseClientFrame(rawText(data));
    switch (frame.kind) {
      case 'close':
        ws.close(frame.code, frame.reason);
        return;
      case 'reject':
        this.#reply(ws, frame.id, { ok: false, error: frame.error });
        return;
      case 'command':
        this.#run(ws, frame.id, frame.name, frame.args);
        return;
      case 'audio-open':
        this.#reply(ws, frame.id, this.#audioOf(ws).open(frame.callId));
        return;
      case 'audio-close':
        this.#reply(ws, frame.id, this.#audioOf(ws).close(frame.stream));
        return;
    }
  }

  #audioOf(ws: WebSocket): SocketAudio {
    // Set in #attach before any message can arrive, removed only on close, after which none does.
    return this.#audio.get(ws)!;
  }

  #run(ws: WebSocket, id: number, name: string, args: unknown): void {
    const running = this.#inFlight.get(ws) ?? 0;
    if (running >= this.#options.maxInFlight) {
      this.#reply(ws, id, {
        ok: false,
        error: {
          code: 'unavailable',
          message: 'Too many commands at once; wait for answers before sending more.',
        },
      });
      return;
    }
    this.#inFlight.set(ws, running + 1);
    void this.#options.dispatcher
      .dispatch(name, args)
      .catch((error: unknown): Result<unknown> => {
        this.#options.logger.log('error', `web host command ${name} threw`, { error: String(error) });
        return { ok: false, error: { code: 'internal', message: 'The command failed inside the app.' } };
      })
      .then((result) => {
        const now = this.#inFlight.get(ws);
        if (now !== undefined) this.#inFlight.set(ws, now - 1);
        this.#reply(ws, id, result);
      });
  }

  #reply(ws: WebSocket, id: number, result: Result<unknown>): void {
    let text: string;
    try {
      text = JSON.stringify(resultFrame(id, result));
    } catch (error) {
      this.#options.logger.log('error', 'web host could not encode a result', { id, error: String(error) });
      text = JSON.stringify(
        resultFrame(id, {
          ok: false,
          error: { code: 'internal', message: 'The result could not be encoded.' },
        }),
      );
    }
    this.#send(ws, text);
  }

  #send(ws: WebSocket, text: string): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount + Buffer.byteLength(text) > this.#options.maxBufferedBytes) {
      // A closing handshake would queue behind the backlog it is meant to end; cut the connection instead.
      this.#options.logger.log('warn', 'web host dropped a socket that is not reading', {
        buffered: ws.bufferedAmount,
      });
      ws.terminate();
      return;
    }
    ws.send(text);
  }
}

function rawBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

function addCounters(total: { -readonly [K in keyof AudioCounters]: number }, more: AudioCounters): void {
  total.droppedIn += more.droppedIn;
  total.droppedOut += more.droppedOut;
  total.framesIn += more.framesIn;
  total.framesOut += more.framesOut;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
