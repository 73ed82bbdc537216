import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NodeSocketFactory, socketAddress, unmapIpv4 } from '../../../main/platform/node-sockets';
import type {
  DatagramSocket,
  SocketAddress,
  StreamConnection,
  StreamServer,
} from '../../../main/platform/sockets';

const factory = new NodeSocketFactory();
const open: { close(): void }[] = [];

function track<T extends { close(): void }>(socket: T): T {
  open.push(socket);
  return socket;
}

// Poll often: these are real sockets on loopback, answers come within a millisecond or two.
const eventually = (assertion: () => void): Promise<void> =>
  vi.waitFor(assertion, { interval: 2, timeout: 2000 });

afterEach(() => {
  for (const socket of open.splice(0)) socket.close();
});

const text = (data: Uint8Array): string => new TextDecoder().decode(data);
const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

function collectDatagrams(socket: DatagramSocket): { data: string; from: SocketAddress }[] {
  const received: { data: string; from: SocketAddress }[] = [];
  socket.onMessage((data, from) => received.push({ data: text(data), from }));
  return received;
}

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown }).code;
}

async function streamPair(
  host: string,
): Promise<{ server: StreamServer; client: StreamConnection; accepted: StreamConnection }> {
  const server = track(await factory.listenStream(host, 0));
  const acceptedPromise = new Promise<StreamConnection>((resolve) => server.onConnection(resolve));
  const client = track(await factory.connectStream(host, server.local.port));
  const accepted = track(await acceptedPromise);
  return { server, client, accepted };
}

describe('address normalisation', () => {
  it('strips the IPv4-mapped prefix and derives the family from the result', () => {
    expect(unmapIpv4('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(unmapIpv4('::FFFF:10.1.2.3')).toBe('10.1.2.3');
    expect(unmapIpv4('::1')).toBe('::1');
    expect(unmapIpv4('::ffff:7f00:1')).toBe('::ffff:7f00:1');
    expect(socketAddress('::ffff:127.0.0.1', 5060)).toEqual({
      address: '127.0.0.1',
      port: 5060,
      family: 'IPv4',
    });
    expect(socketAddress('::1', 5061)).toEqual({ address: '::1', port: 5061, family: 'IPv6' });
  });
});

describe('NodeSocketFactory datagrams', () => {
  it.each(['127.0.0.1', '::1'])('binds an ephemeral port on %s and round-trips a datagram', async (host) => {
    const a = track(await factory.bindDatagram(host, 0));
    const b = track(await factory.bindDatagram(host, 0));
    expect(a.local.address).toBe(host);
    expect(a.local.port).toBeGreaterThan(0);
    expect(a.local.family).toBe(host.includes(':') ? 'IPv6' : 'IPv4');
    expect(b.local.port).not.toBe(a.local.port);

    const atB = collectDatagrams(b);
    a.send(bytes('OPTIONS sip:b SIP/2.0\r\n\r\n'), b.local.port, host);
    await eventually(() => expect(atB).toHaveLength(1));
    expect(atB[0]).toEqual({ data: 'OPTIONS sip:b SIP/2.0\r\n\r\n', from: a.local });

    const atA = collectDatagrams(a);
    b.send(bytes('SIP/2.0 200 OK\r\n\r\n'), a.local.port, host);
    await eventually(() => expect(atA).toHaveLength(1));
    expect(atA[0]?.from).toEqual(b.local);
  });

  it('delivers a datagram close to the 64 KiB limit intact', async () => {
    const a = track(await factory.bindDatagram('127.0.0.1', 0));
    const b = track(await factory.bindDatagram('127.0.0.1', 0));
    const payload = new Uint8Array(60_000).map((_, index) => index % 251);
    const received: Uint8Array[] = [];
    b.onMessage((data) => received.push(data));
    a.send(payload, b.local.port, '127.0.0.1');
    await eventually(() => expect(received).toHaveLength(1));
    expect(received[0]).toBeInstanceOf(Uint8Array);
    expect(Array.from(received[0]!)).toEqual(Array.from(payload));
  });

  it('reports IPv4 peers of an IPv6 socket without the mapped prefix', async () => {
    const v6 = track(await factory.bindDatagram('::ffff:127.0.0.1', 0));
    const v4 = track(await factory.bindDatagram('127.0.0.1', 0));
    expect(v6.local.address).toBe('127.0.0.1');
    const received = collectDatagrams(v6);
    v4.send(bytes('ping'), v6.local.port, '127.0.0.1');
    await eventually(() => expect(received).toHaveLength(1));
    expect(received[0]?.from).toEqual({ address: '127.0.0.1', port: v4.local.port, family: 'IPv4' });
  });

  it('rejects a bind to a port already in use with EADDRINUSE', async () => {
    const first = track(await factory.bindDatagram('127.0.0.1', 0));
    const second = factory.bindDatagram('127.0.0.1', first.local.port);
    await expect(second).rejects.toSatisfy((error) => errorCode(error) === 'EADDRINUSE');
  });

  it('refuses host names instead of resolving them', async () => {
    await expect(factory.bindDatagram('localhost', 0)).rejects.toSatisfy(
      (error) => errorCode(error) === 'EINVAL',
    );
    const socket = track(await factory.bindDatagram('127.0.0.1', 0));
    const errors: Error[] = [];
    socket.onError((error) => errors.push(error));
    socket.send(bytes('x'), 5060, 'proxy.invalid');
    expect(errors).toHaveLength(0);
    await eventually(() => expect(errors).toHaveLength(1));
    expect(errorCode(errors[0])).toBe('EINVAL');
  });

  it('surfaces send failures through onError, never as a throw', async () => {
    const socket = track(await factory.bindDatagram('127.0.0.1', 0));
    const errors: Error[] = [];
    socket.onError((error) => errors.push(error));
    expect(() => socket.send(bytes('x'), 0, '127.0.0.1')).not.toThrow();
    expect(() => socket.send(bytes('x'), 5060, '::1')).not.toThrow();
    await eventually(() => expect(errors).toHaveLength(2));
  });

  it('lets the sender reuse its buffer as soon as send returns (even a send the kernel queues)', async () => {
    const a = track(await factory.bindDatagram('127.0.0.1', 0));
    const b = track(await factory.bindDatagram('127.0.0.1', 0));
    const atB = collectDatagrams(b);
    const buffer = bytes('first');
    a.send(buffer, b.local.port, '127.0.0.1');
    buffer.set(bytes('again'));
    a.send(buffer, b.local.port, '127.0.0.1');
    await eventually(() => expect(atB).toHaveLength(2));
    expect(atB.map((entry) => entry.data)).toEqual(['first', 'again']);
  });

  it('hands the datagram to the kernel before send returns, not on a later tick', async () => {
    const a = track(await factory.bindDatagram('127.0.0.1', 0));
    const b = track(await factory.bindDatagram('127.0.0.1', 0));
    const atB = collectDatagrams(b);
    // A connected node:dgram socket sends inside its send() call (no address lookup), so it is the yardstick: what
    // our socket sent first must arrive first. Without a synchronous send the yardstick's datagram overtakes it,
    // and an ACK given to the transport leaves only after whatever the caller does next (starting a call's media).
    const yardstick = createSocket('udp4');
    await new Promise<void>((resolve) => yardstick.connect(b.local.port, '127.0.0.1', resolve));
    open.push({ close: () => yardstick.close() });
    a.send(bytes('ours'), b.local.port, '127.0.0.1');
    yardstick.send('yardstick');
    await eventually(() => expect(atB).toHaveLength(2));
    expect(atB.map((entry) => entry.data)).toEqual(['ours', 'yardstick']);
  });

  it('still sends what was handed over just before close (an RTCP BYE as a stream ends)', async () => {
    const a = await factory.bindDatagram('127.0.0.1', 0);
    const b = track(await factory.bindDatagram('127.0.0.1', 0));
    const atB = collectDatagrams(b);
    a.send(bytes('goodbye'), b.local.port, '127.0.0.1');
    a.close();
    await eventually(() => expect(atB).toHaveLength(1));
    expect(atB[0]?.data).toBe('goodbye');
  });

  it('says when a closed socket is really released: after what was handed over went out, with its port free', async () => {
    const a = await factory.bindDatagram('127.0.0.1', 0);
    const b = track(await factory.bindDatagram('127.0.0.1', 0));
    let released = false;
    const releasing = a.released!().then(() => (released = true));
    a.send(bytes('last'), b.local.port, '127.0.0.1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(released).toBe(false);
    a.close();
    await releasing;
    // Asked again once released, it answers at once; the port can be bound again.
    await a.released!();
    track(await factory.bindDatagram('127.0.0.1', a.local.port));
  });

  it('ignores send and close after close', async () => {
    const socket = await factory.bindDatagram('127.0.0.1', 0);
    const errors: Error[] = [];
    socket.onError((error) => errors.push(error));
    socket.close();
    expect(() => socket.send(bytes('late'), 5060, '127.0.0.1')).not.toThrow();
    expect(() => socket.close()).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(errors).toEqual([]);
    // The port is free again.
    track(await factory.bindDatagram('127.0.0.1', socket.local.port));
  });
});

describe('NodeSocketFactory streams', () => {
  it.each(['127.0.0.1', '::1'])('round-trips chunked data on %s', async (host) => {
    const { server, client, accepted } = await streamPair(host);
    expect(server.local.address).toBe(host);
    expect(client.remote).toEqual(server.local);
    expect(accepted.remote).toEqual(client.local);
    expect(accepted.local).toEqual(client.remote);

    const message = 'INVITE sip:bob@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n'.repeat(50);
    let atServer = '';
    accepted.onData((chunk) => {
      atServer += text(chunk);
    });
    for (let offset = 0; offset < message.length; offset += 7) {
      client.write(bytes(message.slice(offset, offset + 7)));
    }
    await eventually(() => expect(atServer.length).toBe(message.length));
    expect(atServer).toBe(message);

    let atClient = '';
    client.onData((chunk) => {
      atClient += text(chunk);
    });
    accepted.write(bytes('SIP/2.0 100 Trying\r\n\r\n'));
    await eventually(() => expect(atClient).toBe('SIP/2.0 100 Trying\r\n\r\n'));
  });

  it('keeps data that arrives before onData is registered', async () => {
    const { client, accepted } = await streamPair('127.0.0.1');
    client.write(bytes('early'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    let received = '';
    accepted.onData((chunk) => {
      received += text(chunk);
    });
    await eventually(() => expect(received).toBe('early'));
  });

  it('fires onClose once on both ends when one side closes, and ignores writes afterwards', async () => {
    const { client, accepted } = await streamPair('127.0.0.1');
    const clientCloses: (Error | undefined)[] = [];
    const serverCloses: (Error | undefined)[] = [];
    client.onClose((error) => clientCloses.push(error));
    accepted.onClose((error) => serverCloses.push(error));
    let received = '';
    accepted.onData((chunk) => {
      received += text(chunk);
    });

    client.write(bytes('BYE'));
    client.close();
    client.close();
    expect(() => client.write(bytes('after close'))).not.toThrow();

    await eventually(() => {
      expect(clientCloses).toEqual([undefined]);
      expect(serverCloses).toEqual([undefined]);
    });
    expect(received).toBe('BYE');
    expect(() => accepted.write(bytes('to a closed peer'))).not.toThrow();

    // A handler registered after the fact still hears about the close, once.
    const late: (Error | undefined)[] = [];
    client.onClose((error) => late.push(error));
    await eventually(() => expect(late).toEqual([undefined]));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(clientCloses).toHaveLength(1);
    expect(serverCloses).toHaveLength(1);
  });

  it('passes the error to onClose when the peer resets the connection', async () => {
    const server = track(await factory.listenStream('127.0.0.1', 0));
    const acceptedPromise = new Promise<StreamConnection>((resolve) => server.onConnection(resolve));
    const raw = connect({ host: '127.0.0.1', port: server.local.port });
    await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
    const accepted = track(await acceptedPromise);
    const closes: (Error | undefined)[] = [];
    accepted.onClose((error) => closes.push(error));
    accepted.onData(() => undefined);
    raw.resetAndDestroy();
    await eventually(() => expect(closes).toHaveLength(1));
    expect(errorCode(closes[0])).toBe('ECONNRESET');
  });

  it('rejects listening on a port in use and connecting to a closed port', async () => {
    const server = track(await factory.listenStream('127.0.0.1', 0));
    await expect(factory.listenStream('127.0.0.1', server.local.port)).rejects.toSatisfy(
      (error) => errorCode(error) === 'EADDRINUSE',
    );
    const port = server.local.port;
    server.close();
    await expect(factory.connectStream('127.0.0.1', port)).rejects.toSatisfy(
      (error) => errorCode(error) === 'ECONNREFUSED',
    );
    await expect(factory.connectStream('localhost', port)).rejects.toSatisfy(
      (error) => errorCode(error) === 'EINVAL',
    );
  });

  it('connects from a chosen local address', async () => {
    const server = track(await factory.listenStream('127.0.0.1', 0));
    server.onConnection((connection) => track(connection));
    const client = track(await factory.connectStream('127.0.0.1', server.local.port, '127.0.0.1'));
    expect(client.local.address).toBe('127.0.0.1');
    expect(client.local.port).toBeGreaterThan(0);
  });
});
