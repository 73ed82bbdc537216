// Hand-written SIP for poking peers in interop tests: a one-shot request over UDP from a throwaway socket
// (readiness probes), and a raw TCP connection framed by Content-Length (RFC 3261 §18.3). Not protocol code:
// the UA under test never uses it.
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { LOOPBACK } from './ports';

export interface ProbeRequest {
  readonly method: string;
  readonly requestUri: string;
  readonly from: string;
  readonly to: string;
  readonly extraHeaders?: readonly string[];
  readonly body?: string;
}

export interface ProbeResponse {
  readonly status: number;
  readonly reason: string;
  /** The whole response as text. */
  readonly text: string;
  /** First value of a header, by case-insensitive name, or undefined. */
  header(name: string): string | undefined;
}

function token(): string {
  return randomBytes(6).toString('hex');
}

export function parseProbeResponse(text: string): ProbeResponse | undefined {
  const lines = text.split('\r\n');
  const match = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(lines[0] ?? '');
  if (!match) return undefined;
  const headerLines = lines.slice(1, lines.indexOf(''));
  return {
    status: Number(match[1]),
    reason: match[2] ?? '',
    text,
    header(name: string): string | undefined {
      const wanted = name.toLowerCase();
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted)
          return line.slice(colon + 1).trim();
      }
      return undefined;
    },
  };
}

/**
 * Sends `request` to host:port and resolves with the first final response (1xx are skipped), or rejects after
 * `timeoutMs`. The request is sent once, without retransmissions: loopback does not lose datagrams.
 */
export function sendUdpRequest(
  port: number,
  request: ProbeRequest,
  options: { host?: string; timeoutMs?: number } = {},
): Promise<ProbeResponse> {
  const host = options.host ?? LOOPBACK;
  const timeoutMs = options.timeoutMs ?? 1000;
  const socket = createSocket('udp4');
  return new Promise<ProbeResponse>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error(`no final response to ${request.method} from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('error', (error) => {
      clearTimeout(timer);
      socket.close();
      reject(error);
    });
    socket.on('message', (data) => {
      const response = parseProbeResponse(data.toString('utf8'));
      if (!response || response.status < 200) return;
      clearTimeout(timer);
      socket.close();
      resolve(response);
    });
    socket.bind(0, LOOPBACK, () => {
      const local = socket.address();
      const body = request.body ?? '';
      const text = [
        `${request.method} ${request.requestUri} SIP/2.0`,
        `Via: SIP/2.0/UDP ${local.address}:${local.port};rport;branch=z9hG4bK${token()}`,
        'Max-Forwards: 70',
        `From: <${request.from}>;tag=${token()}`,
        `To: <${request.to}>`,
        `Call-ID: ${token()}@${local.address}`,
        `CSeq: 1 ${request.method}`,
        ...(request.extraHeaders ?? []),
        `Content-Length: ${Buffer.byteLength(body)}`,
        '',
        body,
      ].join('\r\n');
      socket.send(text, port, host);
    });
  });
}

export interface RawTcpConnection {
  readonly localPort: number;
  send(text: string): void;
  /** The next complete SIP message received on the connection (framed by Content-Length). */
  next(timeoutMs?: number): Promise<string>;
  close(): void;
}

/** A raw TCP connection to host:port that sends and receives whole SIP messages as text. */
export function openRawTcp(port: number, host = LOOPBACK): Promise<RawTcpConnection> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ port, host });
    let buffer = '';
    const messages: string[] = [];
    const waiters: Array<(message: string) => void> = [];
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) break;
        const length = Number(/^(?:Content-Length|l)\s*:\s*(\d+)/im.exec(buffer.slice(0, end))?.[1] ?? '0');
        if (buffer.length < end + 4 + length) break;
        const message = buffer.slice(0, end + 4 + length);
        buffer = buffer.slice(end + 4 + length);
        const waiter = waiters.shift();
        if (waiter) waiter(message);
        else messages.push(message);
      }
    });
    socket.once('error', reject);
    socket.once('connect', () => {
      resolve({
        localPort: socket.localPort!,
        send: (text) => socket.write(text),
        next: (timeoutMs = 2000) => {
          const queued = messages.shift();
          if (queued !== undefined) return Promise.resolve(queued);
          return new Promise<string>((resolveMessage, rejectMessage) => {
            const timer = setTimeout(() => {
              waiters.splice(waiters.indexOf(onMessage), 1);
              rejectMessage(new Error(`no SIP message on TCP within ${timeoutMs} ms`));
            }, timeoutMs);
            const onMessage = (message: string) => {
              clearTimeout(timer);
              resolveMessage(message);
            };
            waiters.push(onMessage);
          });
        },
        close: () => socket.destroy(),
      });
    });
  });
}
