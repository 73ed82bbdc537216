// The web host: the built renderer and the command contract served to a browser on this machine only. It binds
// 127.0.0.1, answers only requests addressed to 127.0.0.1:PORT (DNS rebinding), and lets a WebSocket in only from
// our own origin and with the per-start token, because every other web page the person has open can reach
// loopback too.
import { readFile, realpath, stat } from 'node:fs/promises';
import {
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
  STATUS_CODES,
  createServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { CommandDispatcher, EngineEventSource } from '../contract/contract';
import { VCARD_TEXT_MAX, WEB_TOKEN_BYTES, WEB_TOKEN_PATTERN } from '../contract/limits';
import { type Clock, SystemClock } from '../platform/clock';
import { type Logger, silentLogger } from '../platform/logger';
import { CryptoRandom, type Random } from '../platform/random';
import { SOCKET_PATH, checkUpgrade, hostAllowed } from './request-guard';
import { securityHeaders } from './security-headers';
import { CallAudioClaims } from '../services/call-audio-claims';
import type { AudioStreamEndpoint } from '../media/session/audio-stream-endpoint';
import type { AudioCounters } from './socket-audio';
import { SocketEndpoint } from './socket-endpoint';
import { lookupStaticFile } from './static-files';

export const WEB_HOST_ADDRESS = '127.0.0.1';

/**
 * The largest frame a browser may send. The largest command is `contacts.importVcard` with a file of VCARD_TEXT_MAX
 * characters, and as JSON in UTF-8 no character a vCard file holds takes more than three bytes (a character past
 * U+07FF three, a surrogate pair four for two, a quote, backslash, CR, LF or TAB escape two), plus the frame around
 * it. Characters JSON spells as six-byte `\u` escapes (other controls, lone surrogates) have no place in a vCard; a
 * text made of them goes past this and closes the socket (1009) as any oversized frame does. About 11.5 MiB.
 */
export const WEB_FRAME_MAX_BYTES = 3 * VCARD_TEXT_MAX + 64 * 1024;

/**
 * Unsent bytes one socket may hold before it is dropped as a tab that stopped reading: the largest answer (a vCard
 * export of VCARD_TEXT_MAX characters, three bytes each at most as JSON, or a long contact list) on top of 4 MiB of
 * events already queued, so that a tab that reads is never mistaken for a stuck one.
 */
export const WEB_UNSENT_MAX_BYTES = WEB_FRAME_MAX_BYTES + 4 * 1024 * 1024;

/** The part of the engine the web host uses; the engine façade satisfies it. */
export interface WebHostEngine {
  readonly router: CommandDispatcher;
  readonly events: EngineEventSource;
  /** A live call's audio, carried to the tab as binary frames; an engine without it offers no audio. */
  audioPort?(callId: string): AudioStreamEndpoint | undefined;
}

export interface WebHostOptions {
  readonly engine: WebHostEngine;
  /** The built renderer (out/renderer). */
  readonly rendererDir: string;
  /** 0 (the default) takes any free port. */
  readonly port?: number;
  /** Fixed token (tests); by default 32 random bytes, base64url, new on every start. */
  readonly token?: string;
  /** Only 127.0.0.1 is accepted; the option exists so a mistaken caller fails loudly instead of being ignored. */
  readonly host?: string;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly random?: Random;
  readonly maxPayloadBytes?: number;
  readonly maxBufferedBytes?: number;
  readonly maxClients?: number;
  readonly maxInFlight?: number;
}

export interface WebHost {
  /** What a person opens: `http://127.0.0.1:PORT/#token=TOKEN` (the fragment never reaches a server or a log). */
  readonly url: string;
  /** `http://127.0.0.1:PORT`, the only origin allowed to open the socket. */
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  /** WebSockets connected right now. */
  readonly sockets: number;
  /** Call audio frames carried and dropped, over every socket so far. */
  readonly audioCounters: AudioCounters;
  close(): Promise<void>;
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const host = options.host ?? WEB_HOST_ADDRESS;
  if (host !== WEB_HOST_ADDRESS)
    throw new Error(
      `the web host binds ${WEB_HOST_ADDRESS} only, not ${host}: it must not be reachable from other machines`,
    );
  const requestedPort = options.port ?? 0;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65_535)
    throw new Error(`port must be a whole number from 0 to 65535, got ${requestedPort}`);
  const random = options.random ?? new CryptoRandom();
  const token = options.token ?? Buffer.from(random.bytes(WEB_TOKEN_BYTES)).toString('base64url');
  if (!WEB_TOKEN_PATTERN.test(token))
    throw new Error('token must be at least 32 characters of base64url (A-Z a-z 0-9 - _)');
  const logger = options.logger ?? silentLogger;
  const root = await realpath(options.rendererDir);
  if (!(await stat(root)).isDirectory()) throw new Error(`${options.rendererDir} is not a directory`);

  const engine = options.engine;
  const audio = engine.audioPort ? new CallAudioClaims(engine) : null;
  const endpoint = new SocketEndpoint({
    dispatcher: options.engine.router,
    audio,
    logger,
    clock: options.clock ?? new SystemClock(),
    maxPayloadBytes: options.maxPayloadBytes ?? WEB_FRAME_MAX_BYTES,
    maxBufferedBytes: options.maxBufferedBytes ?? WEB_UNSENT_MAX_BYTES,
    maxInFlight: options.maxInFlight ?? 64,
    closeGraceMs: 1_000,
  });
  const maxClients = options.maxClients ?? 16;

  // The port is known only once listening; handlers read it from here.
  let port = 0;
  const server = createServer((request, response) => {
    handleRequest(root, port, request, response).catch((error: unknown) => {
      logger.log('error', 'web host request failed', { error: String(error) });
      if (!response.headersSent) sendText(response, port, 500);
      else response.destroy();
    });
  });
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const decision = checkUpgrade(
      { url: request.url, host: request.headers.host, origin: request.headers.origin },
      { port, token },
    );
    if (!decision.ok) {
      logger.log('warn', 'web host refused a socket', {
        reason: decision.reason,
        status: decision.status,
        origin: request.headers.origin,
      });
      refuseUpgrade(socket, port, decision.status);
      return;
    }
    if (endpoint.clientCount >= maxClients) {
      refuseUpgrade(socket, port, 503);
      return;
    }
    endpoint.accept(request, socket, head);
  });
  server.on('error', (error) => logger.log('error', 'web host server error', { error: error.message }));
  server.on('clientError', (_error, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  await listen(server, requestedPort, host);
  const address = server.address() as AddressInfo;
  if (address.address !== WEB_HOST_ADDRESS) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw new Error(
      `the web host ended up on ${address.address}, not ${WEB_HOST_ADDRESS}; refusing to serve`,
    );
  }
  port = address.port;
  const unsubscribe = options.engine.events.subscribe((name, payload) => endpoint.broadcast(name, payload));
  const origin = `http://${WEB_HOST_ADDRESS}:${port}`;
  logger.log('info', 'web host listening', { origin });

  let closing: Promise<void> | undefined;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    get sockets() {
      return endpoint.clientCount;
    },
    get audioCounters() {
      return endpoint.audioCounters;
    },
    close() {
      closing ??= (async () => {
        unsubscribe();
        audio?.dispose();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await endpoint.close();
        await stopped;
      })();
      return closing;
    },
  };
}

async function handleRequest(
  root: string,
  port: number,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (!hostAllowed(request.headers.host, port)) {
    sendText(response, port, 421);
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendText(response, port, 405, { Allow: 'GET, HEAD' });
    return;
  }
  const target = request.url ?? '';
  if (target === SOCKET_PATH || target.startsWith(`${SOCKET_PATH}?`)) {
    sendText(response, port, 426, { Upgrade: 'websocket' });
    return;
  }
  const found = await lookupStaticFile(root, target);
  if (!found.ok) {
    sendText(response, port, found.status);
    return;
  }
  const body = await readFile(found.path);
  response.writeHead(200, {
    ...securityHeaders(port),
    'Content-Type': found.contentType,
    'Content-Length': body.length,
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

function sendText(
  response: ServerResponse,
  port: number,
  status: number,
  extra: OutgoingHttpHeaders = {},
): void {
  const body = `${status} ${STATUS_CODES[status] ?? ''}\n`;
  response.writeHead(status, {
    ...securityHeaders(port),
    ...extra,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** Answers a refused handshake in plain HTTP and hangs up: the socket never becomes a WebSocket. */
function refuseUpgrade(socket: Duplex, port: number, status: number): void {
  const body = `${status} ${STATUS_CODES[status] ?? ''}\n`;
  const headers = {
    ...securityHeaders(port),
    Connection: 'close',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
