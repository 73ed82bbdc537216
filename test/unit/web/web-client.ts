// Test clients for the web host over real loopback sockets: a raw HTTP exchange (so request targets reach the
// server exactly as written), a WebSocket client that keeps every frame, and one that opens and then never reads.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { WebSocket } from 'ws';

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Sends `head` (request line and headers, without the blank line) and reads until the server hangs up. */
export function rawHttp(port: number, head: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const lines = text.slice(0, split === -1 ? text.length : split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0),
        headers,
        body: split === -1 ? '' : text.slice(split + 4),
      });
    });
    socket.write(`${head}\r\nConnection: close\r\n\r\n`);
  });
}

export function get(
  port: number,
  target: string,
  host = `127.0.0.1:${port}`,
  method = 'GET',
): Promise<RawResponse> {
  return rawHttp(port, `${method} ${target} HTTP/1.1\r\nHost: ${host}`);
}

export interface ClientOptions {
  readonly token?: string;
  readonly origin?: string | null;
  readonly host?: string;
  readonly path?: string;
}

/** Opens a socket and resolves with it, or rejects with the HTTP status the handshake was refused with. */
export function openSocket(port: number, options: ClientOptions = {}): Promise<TestClient> {
  const query = options.token === undefined ? '' : `?token=${encodeURIComponent(options.token)}`;
  const ws = new WebSocket(`ws://127.0.0.1:${port}${options.path ?? '/ws'}${query}`, {
    ...(options.origin === null ? {} : { origin: options.origin ?? `http://127.0.0.1:${port}` }),
    ...(options.host ? { headers: { Host: options.host } } : {}),
  });
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (request, response) => {
      reject(new RefusedError(response.statusCode ?? 0));
      request.destroy();
    });
    ws.on('error', (error) => reject(error));
    ws.on('open', () => resolve(new TestClient(ws)));
  });
}

export class RefusedError extends Error {
  constructor(readonly status: number) {
    super(`refused with ${status}`);
  }
}

export async function refusalStatus(promise: Promise<TestClient>): Promise<number> {
  try {
    const client = await promise;
    client.ws.terminate();
    return 101;
  } catch (error) {
    if (error instanceof RefusedError) return error.status;
    throw error;
  }
}

type Frame = Record<string, unknown>;

export class TestClient {
  readonly frames: Frame[] = [];
  /** Binary frames (call audio), as received. */
  readonly binary: Buffer[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: (() => void)[] = [];
  #nextId = 1;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.binary.push(Buffer.isBuffer(data) ? data : Buffer.from(String(data)));
      else this.frames.push(JSON.parse(String(data)) as Frame);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
  }

  async command(name: string, args: unknown[]): Promise<Frame> {
    const id = this.#nextId++;
    this.ws.send(JSON.stringify({ type: 'command', id, name, args }));
    const frame = await this.waitFor((f) => f['type'] === 'result' && f['id'] === id);
    return frame['result'] as Frame;
  }

  /** Sends a non-command frame (audio.open, audio.close) with a fresh id and waits for its result. */
  async request(frame: Frame): Promise<Frame> {
    const id = this.#nextId++;
    this.ws.send(JSON.stringify({ ...frame, id }));
    const answer = await this.waitFor((f) => f['type'] === 'result' && f['id'] === id);
    return answer['result'] as Frame;
  }

  /** Resolves once at least `count` binary frames have arrived. */
  async binaryFrames(count: number): Promise<Buffer[]> {
    while (this.binary.length < count) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    return this.binary;
  }

  async waitFor(match: (frame: Frame) => boolean): Promise<Frame> {
    for (;;) {
      const found = this.frames.find(match);
      if (found) return found;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  events(): Frame[] {
    return this.frames.filter((frame) => frame['type'] === 'event');
  }
}

/** Completes a WebSocket handshake by hand and then stops reading, like a frozen browser tab. */
export function openStuckSocket(
  port: number,
  token: string,
): Promise<{ closed: () => boolean; destroy(): void }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head.split('\r\n')[0]));
      socket.pause();
      resolve({ closed: () => closed, destroy: () => socket.destroy() });
    };
    socket.on('data', onData);
    socket.write(
      [
        `GET /ws?token=${token} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        `Origin: http://127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    );
  });
}
