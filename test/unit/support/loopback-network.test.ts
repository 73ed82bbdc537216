import { describe, expect, it } from 'vitest';
import type { DatagramSocket, SocketAddress, StreamConnection } from '../../../main/platform/sockets';
import {
  LoopbackNetwork,
  firstMatching,
  matching,
  textOf,
  type LoopbackNetworkOptions,
  type LoopbackStreamConnection,
} from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { SeededRandom } from '../../support/seeded-random';

const bytes = (value: string): Uint8Array => new TextEncoder().encode(value);

function setup(options: Omit<LoopbackNetworkOptions, 'clock'> = {}): {
  clock: ManualClock;
  network: LoopbackNetwork;
} {
  const clock = new ManualClock();
  return { clock, network: new LoopbackNetwork({ clock, ...options }) };
}

interface Received {
  readonly text: string;
  readonly from: SocketAddress;
  readonly at: number;
}

function inbox(socket: DatagramSocket, clock: ManualClock): Received[] {
  const received: Received[] = [];
  socket.onMessage((data, from) => received.push({ text: textOf(data), from, at: clock.now() }));
  return received;
}

async function twoSockets(network: LoopbackNetwork, clock: ManualClock, host = '127.0.0.1') {
  const a = await network.bindDatagram(host, 0);
  const b = await network.bindDatagram(host, 0);
  return { a, b, atA: inbox(a, clock), atB: inbox(b, clock) };
}

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown }).code;
}

describe('LoopbackNetwork datagram sockets', () => {
  it('allocates ephemeral ports for port 0 and keeps explicit ones', async () => {
    const { network } = setup();
    const a = await network.bindDatagram('127.0.0.1', 0);
    const b = await network.bindDatagram('127.0.0.1', 0);
    const fixed = await network.bindDatagram('::1', 5060);
    expect(a.local).toEqual({ address: '127.0.0.1', port: 49152, family: 'IPv4' });
    expect(b.local.port).toBe(49153);
    expect(fixed.local).toEqual({ address: '::1', port: 5060, family: 'IPv6' });
  });

  it('refuses a port in use, a wildcard over a specific bind, and host names', async () => {
    const { network } = setup();
    await network.bindDatagram('127.0.0.1', 5060);
    await expect(network.bindDatagram('127.0.0.1', 5060)).rejects.toSatisfy(
      (e) => errorCode(e) === 'EADDRINUSE',
    );
    await expect(network.bindDatagram('0.0.0.0', 5060)).rejects.toSatisfy(
      (e) => errorCode(e) === 'EADDRINUSE',
    );
    await expect(network.bindDatagram('::', 5060)).rejects.toSatisfy((e) => errorCode(e) === 'EADDRINUSE');
    await expect(network.bindDatagram('localhost', 0)).rejects.toSatisfy((e) => errorCode(e) === 'EINVAL');
    // Another address, or the same port for streams, is fine.
    await network.bindDatagram('127.0.0.2', 5060);
    await network.bindDatagram('::1', 5060);
    await network.listenStream('127.0.0.1', 5060);
  });

  it('delivers on the next clock tick, never inside send()', async () => {
    const { clock, network } = setup();
    const { a, b, atB } = await twoSockets(network, clock);
    a.send(bytes('OPTIONS sip:b SIP/2.0'), b.local.port, '127.0.0.1');
    expect(atB).toEqual([]);
    clock.advance(0);
    expect(atB).toEqual([{ text: 'OPTIONS sip:b SIP/2.0', from: a.local, at: 0 }]);
  });

  it('works over IPv6 and normalises IPv4-mapped destinations', async () => {
    const { clock, network } = setup();
    const six = await twoSockets(network, clock, '::1');
    six.a.send(bytes('v6'), six.b.local.port, '::1');
    const four = await twoSockets(network, clock);
    four.a.send(bytes('mapped'), four.b.local.port, '::ffff:127.0.0.1');
    clock.advance(0);
    expect(six.atB).toEqual([{ text: 'v6', from: six.a.local, at: 0 }]);
    expect(four.atB.map((m) => m.text)).toEqual(['mapped']);
    expect(network.trace.at(-1)?.to.address).toBe('127.0.0.1');
  });

  it('copies the payload at send time', async () => {
    const { clock, network } = setup();
    const { a, b, atB } = await twoSockets(network, clock);
    const buffer = bytes('first');
    a.send(buffer, b.local.port, '127.0.0.1');
    buffer.set(bytes('XXXXX'));
    clock.advance(0);
    expect(atB[0]?.text).toBe('first');
  });

  it('lets a handler reply from inside delivery; the reply lands later in the same advance', async () => {
    const { clock, network } = setup();
    const { a, b, atA } = await twoSockets(network, clock);
    b.onMessage((data, from) => b.send(bytes(`re: ${textOf(data)}`), from.port, from.address));
    a.send(bytes('ping'), b.local.port, '127.0.0.1');
    clock.advance(0);
    expect(atA.map((m) => m.text)).toEqual(['re: ping']);
  });

  it('receives on a wildcard bind and sends from it with a loopback source', async () => {
    const { clock, network } = setup();
    const server = await network.bindDatagram('0.0.0.0', 5060);
    const client = await network.bindDatagram('127.0.0.1', 0);
    const atServer = inbox(server, clock);
    const atClient = inbox(client, clock);
    client.send(bytes('hello'), 5060, '127.0.0.1');
    server.send(bytes('back'), client.local.port, '127.0.0.1');
    clock.advance(0);
    expect(atServer.map((m) => m.text)).toEqual(['hello']);
    expect(atClient[0]?.from).toEqual({ address: '127.0.0.1', port: 5060, family: 'IPv4' });
  });

  it('records datagrams to nobody as unreachable, also after the receiver closes', async () => {
    const { clock, network } = setup();
    const { a, b, atB } = await twoSockets(network, clock);
    a.send(bytes('one'), 6000, '127.0.0.1');
    b.close();
    a.send(bytes('two'), b.local.port, '127.0.0.1');
    clock.advance(0);
    expect(atB).toEqual([]);
    expect(network.trace.map((e) => [e.text, e.fate])).toEqual([
      ['one', 'unreachable'],
      ['two', 'unreachable'],
    ]);
    // The port can be bound again.
    await network.bindDatagram('127.0.0.1', b.local.port);
  });

  it('reports send errors through onError on a later tick, and ignores sends after close', async () => {
    const { clock, network } = setup();
    const { a } = await twoSockets(network, clock);
    const errors: unknown[] = [];
    a.onError((error) => errors.push(errorCode(error)));
    a.send(bytes('x'), 5060, '::1');
    a.send(bytes('x'), 5060, 'proxy.invalid');
    a.send(bytes('x'), 0, '127.0.0.1');
    expect(errors).toEqual([]);
    clock.advance(0);
    expect(errors).toEqual(['EINVAL', 'EINVAL', 'ERR_SOCKET_BAD_PORT']);
    a.close();
    a.send(bytes('late'), 5060, '127.0.0.1');
    clock.advance(0);
    expect(network.trace).toEqual([]);
  });
});

describe('LoopbackNetwork impairments', () => {
  it('drops everything at probability 1 and records the drops with their send time', async () => {
    const { clock, network } = setup({ conditions: { drop: 1 } });
    const { a, b, atB } = await twoSockets(network, clock);
    clock.advance(100);
    a.send(bytes('lost'), b.local.port, '127.0.0.1');
    clock.advance(10);
    expect(atB).toEqual([]);
    expect(network.trace).toMatchObject([{ text: 'lost', fate: 'dropped', sentAt: 100, at: 100 }]);
  });

  it('drops a seeded fraction, the same packets on every run', async () => {
    const lossPattern = async (seed: number): Promise<string[]> => {
      const { clock, network } = setup({ random: new SeededRandom(seed), conditions: { drop: 0.3 } });
      const { a, b, atB } = await twoSockets(network, clock);
      for (let index = 0; index < 1000; index++) a.send(bytes(String(index)), b.local.port, '127.0.0.1');
      clock.advance(0);
      return atB.map((m) => m.text);
    };
    const first = await lossPattern(5);
    expect(first.length).toBeGreaterThan(640);
    expect(first.length).toBeLessThan(760);
    expect(await lossPattern(5)).toEqual(first);
    expect(await lossPattern(6)).not.toEqual(first);
  });

  it('drops the first N packets matching a pattern and lets the rest through', async () => {
    const { clock, network } = setup({ conditions: { drop: firstMatching(2, /^INVITE /) } });
    const { a, b, atB } = await twoSockets(network, clock);
    for (const text of ['INVITE sip:1', 'ACK sip:1', 'INVITE sip:2', 'INVITE sip:3', 'INVITE sip:4']) {
      a.send(bytes(text), b.local.port, '127.0.0.1');
    }
    clock.advance(0);
    expect(atB.map((m) => m.text)).toEqual(['ACK sip:1', 'INVITE sip:3', 'INVITE sip:4']);
    expect(network.trace.filter((e) => e.fate === 'dropped').map((e) => e.text)).toEqual([
      'INVITE sip:1',
      'INVITE sip:2',
    ]);
  });

  it('lets a test read a retransmission schedule (Timer E: 500, 1000, 2000, 4000, 4000 ms) from the trace', async () => {
    const { clock, network } = setup({ conditions: { drop: firstMatching(5, /^REGISTER /) } });
    const { a, b } = await twoSockets(network, clock);
    // A toy non-INVITE client transaction: retransmit with doubling interval capped at T2 until answered.
    let answered = false;
    let interval = 500;
    const transmit = (): void => {
      if (answered) return;
      a.send(bytes('REGISTER sip:example.com SIP/2.0'), b.local.port, '127.0.0.1');
      clock.setTimer(interval, transmit);
      interval = Math.min(interval * 2, 4000);
    };
    a.onMessage(() => {
      answered = true;
    });
    b.onMessage((_data, from) => b.send(bytes('SIP/2.0 200 OK'), from.port, from.address));
    transmit();
    clock.advance(32_000);

    const sent = network.sendTimes(/^REGISTER /);
    expect(sent).toEqual([0, 500, 1500, 3500, 7500, 11_500]);
    expect(sent.slice(1).map((time, index) => time - sent[index]!)).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(network.trace.filter((e) => e.text.startsWith('REGISTER')).map((e) => e.fate)).toEqual([
      'dropped',
      'dropped',
      'dropped',
      'dropped',
      'dropped',
      'delivered',
    ]);
  });

  it('duplicates packets and marks the copies in the trace', async () => {
    const { clock, network } = setup({ conditions: { duplicate: matching(/^BYE/) } });
    const { a, b, atB } = await twoSockets(network, clock);
    a.send(bytes('BYE sip:x'), b.local.port, '127.0.0.1');
    a.send(bytes('INFO sip:x'), b.local.port, '127.0.0.1');
    clock.advance(0);
    expect(atB.map((m) => m.text)).toEqual(['BYE sip:x', 'BYE sip:x', 'INFO sip:x']);
    expect(network.trace.map((e) => [e.text, e.duplicate])).toEqual([
      ['BYE sip:x', false],
      ['BYE sip:x', true],
      ['INFO sip:x', false],
    ]);
    expect(network.sendTimes()).toEqual([0, 0]);
  });

  it('reorders: a held packet goes out right after the next one on the same path', async () => {
    const { clock, network } = setup({ conditions: { reorder: firstMatching(1, /^one/) } });
    const { a, b, atB } = await twoSockets(network, clock);
    a.send(bytes('one'), b.local.port, '127.0.0.1');
    clock.advance(50);
    expect(atB).toEqual([]);
    a.send(bytes('two'), b.local.port, '127.0.0.1');
    a.send(bytes('three'), b.local.port, '127.0.0.1');
    clock.advance(0);
    expect(atB.map((m) => [m.text, m.at])).toEqual([
      ['two', 50],
      ['one', 50],
      ['three', 50],
    ]);
    expect(network.trace.find((e) => e.text === 'one')).toMatchObject({ sentAt: 0, at: 50, reordered: true });
  });

  it('releases a held packet alone after maxReorderHoldMs when nothing follows', async () => {
    const { clock, network } = setup({ conditions: { reorder: 1 }, maxReorderHoldMs: 300 });
    const { a, b, atB } = await twoSockets(network, clock);
    a.send(bytes('lonely'), b.local.port, '127.0.0.1');
    clock.advance(299);
    expect(atB).toEqual([]);
    clock.advance(1);
    expect(atB.map((m) => [m.text, m.at])).toEqual([['lonely', 300]]);
  });

  it('delays by a fixed amount or by seeded jitter within bounds', async () => {
    const { clock, network } = setup({ conditions: { delay: 40 } });
    const { a, b, atB } = await twoSockets(network, clock);
    a.send(bytes('slow'), b.local.port, '127.0.0.1');
    clock.advance(39);
    expect(atB).toEqual([]);
    clock.advance(1);
    expect(atB.map((m) => m.at)).toEqual([40]);

    network.setConditions({ delay: { min: 10, max: 20 } });
    for (let index = 0; index < 200; index++) a.send(bytes(`j${index}`), b.local.port, '127.0.0.1');
    clock.advance(100);
    const delays = network.trace.slice(1).map((e) => e.at - e.sentAt);
    expect(Math.min(...delays)).toBe(10);
    expect(Math.max(...delays)).toBe(20);
  });

  it('applies per-direction conditions over the global ones until removed', async () => {
    const { clock, network } = setup({ conditions: { delay: 5 } });
    const { a, b, atA, atB } = await twoSockets(network, clock);
    const remove = network.addLinkConditions({ from: a.local, to: `127.0.0.1:${b.local.port}` }, { drop: 1 });
    a.send(bytes('a->b'), b.local.port, '127.0.0.1');
    b.send(bytes('b->a'), a.local.port, '127.0.0.1');
    clock.advance(5);
    expect(atB).toEqual([]);
    expect(atA.map((m) => [m.text, m.at])).toEqual([['b->a', 5]]);

    remove();
    a.send(bytes('a->b again'), b.local.port, '127.0.0.1');
    clock.advance(5);
    expect(atB.map((m) => [m.text, m.at])).toEqual([['a->b again', 10]]);

    network.addLinkConditions({ to: '127.0.0.1' }, { delay: 100 });
    a.send(bytes('slow'), b.local.port, '127.0.0.1');
    clock.advance(99);
    expect(atB).toHaveLength(1);
    clock.advance(1);
    expect(atB).toHaveLength(2);

    network.clearConditions();
    a.send(bytes('fast'), b.local.port, '127.0.0.1');
    clock.advance(0);
    expect(atB).toHaveLength(3);
  });
});

describe('LoopbackNetwork streams', () => {
  async function pair(network: LoopbackNetwork, clock: ManualClock) {
    const server = await network.listenStream('127.0.0.1', 5060);
    const accepted: StreamConnection[] = [];
    server.onConnection((connection) => accepted.push(connection));
    const client = await network.connectStream('127.0.0.1', 5060);
    expect(accepted).toEqual([]);
    clock.advance(0);
    expect(accepted).toHaveLength(1);
    return { server, client, accepted: accepted[0]! };
  }

  function collect(connection: StreamConnection): { chunks: string[]; closes: (string | undefined)[] } {
    const chunks: string[] = [];
    const closes: (string | undefined)[] = [];
    connection.onData((chunk) => chunks.push(textOf(chunk)));
    connection.onClose((error) => closes.push(error === undefined ? undefined : String(errorCode(error))));
    return { chunks, closes };
  }

  it('connects with matching addresses and delivers writes in order on the clock', async () => {
    const { clock, network } = setup();
    const { server, client, accepted } = await pair(network, clock);
    expect(client.remote).toEqual(server.local);
    expect(accepted.remote).toEqual(client.local);
    expect(accepted.local).toEqual(client.remote);
    const atServer = collect(accepted);
    client.write(bytes('INVITE '));
    client.write(bytes('sip:bob SIP/2.0\r\n'));
    expect(atServer.chunks).toEqual([]);
    clock.advance(0);
    expect(atServer.chunks).toEqual(['INVITE ', 'sip:bob SIP/2.0\r\n']);
  });

  it('keeps order under jitter, with the accept before any data', async () => {
    const { clock, network } = setup({ conditions: { delay: { min: 0, max: 50 } } });
    const server = await network.listenStream('127.0.0.1', 5060);
    const events: string[] = [];
    server.onConnection((connection) => {
      events.push('accept');
      connection.onData((chunk) => events.push(textOf(chunk)));
    });
    const client = await network.connectStream('127.0.0.1', 5060);
    for (let index = 0; index < 50; index++) {
      client.write(bytes(`${index},`));
      clock.advance(1);
    }
    clock.advance(100);
    expect(events).toEqual(['accept', ...Array.from({ length: 50 }, (_, index) => `${index},`)]);
  });

  it('splits writes into random chunks when asked, without changing the bytes', async () => {
    const { clock, network } = setup({ splitStreamWrites: { maxChunkBytes: 5 } });
    const { client, accepted } = await pair(network, clock);
    const atServer = collect(accepted);
    const message = 'REGISTER sip:example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n';
    client.write(bytes(message));
    clock.advance(0);
    expect(atServer.chunks.join('')).toBe(message);
    expect(atServer.chunks.length).toBeGreaterThan(message.length / 5);
    expect(Math.max(...atServer.chunks.map((chunk) => chunk.length))).toBeLessThanOrEqual(5);

    network.setStreamWriteSplitting(undefined);
    client.write(bytes(message));
    clock.advance(0);
    expect(atServer.chunks.at(-1)).toBe(message);
  });

  it('buffers data that arrives before onData is registered', async () => {
    const { clock, network } = setup();
    const { client, accepted } = await pair(network, clock);
    client.write(bytes('early'));
    clock.advance(0);
    const chunks: string[] = [];
    accepted.onData((chunk) => chunks.push(textOf(chunk)));
    expect(chunks).toEqual([]);
    clock.advance(0);
    expect(chunks).toEqual(['early']);
  });

  it.each(['client', 'server'] as const)(
    'closes from the %s side: data first, then onClose once on both ends',
    async (side) => {
      const { clock, network } = setup({ conditions: { delay: 10 } });
      const server = await network.listenStream('127.0.0.1', 5060);
      const acceptedList: StreamConnection[] = [];
      server.onConnection((connection) => acceptedList.push(connection));
      const client = await network.connectStream('127.0.0.1', 5060);
      clock.advance(10);
      const accepted = acceptedList[0]!;
      const closer = side === 'client' ? client : accepted;
      const other = side === 'client' ? accepted : client;
      const atCloser = collect(closer);
      const atOther = collect(other);

      closer.write(bytes('last words'));
      closer.close();
      closer.close();
      closer.write(bytes('ignored'));
      clock.advance(0);
      expect(atCloser.closes).toEqual([undefined]);
      expect(atOther.closes).toEqual([]);
      clock.advance(10);
      expect(atOther.chunks).toEqual(['last words']);
      expect(atOther.closes).toEqual([undefined]);
      other.write(bytes('to nobody'));
      clock.advance(100);
      expect(atCloser.chunks).toEqual([]);

      const late: (Error | undefined)[] = [];
      other.onClose((error) => late.push(error));
      clock.advance(0);
      expect(late).toEqual([undefined]);
      expect(atOther.closes).toHaveLength(1);
    },
  );

  it('aborts with an error on both ends', async () => {
    const { clock, network } = setup();
    const { client, accepted } = await pair(network, clock);
    const atClient = collect(client);
    const atServer = collect(accepted);
    (client as LoopbackStreamConnection).abort();
    clock.advance(0);
    expect(atClient.closes).toEqual(['ECONNABORTED']);
    expect(atServer.closes).toEqual(['ECONNRESET']);
  });

  it('refuses connections to a port nobody listens on, also after the server closes', async () => {
    const { clock, network } = setup();
    await expect(network.connectStream('127.0.0.1', 5060)).rejects.toSatisfy(
      (e) => errorCode(e) === 'ECONNREFUSED',
    );
    const { server, client } = await pair(network, clock);
    server.close();
    await expect(network.connectStream('127.0.0.1', 5060)).rejects.toSatisfy(
      (e) => errorCode(e) === 'ECONNREFUSED',
    );
    // Connections already accepted stay up.
    const atClient = collect(client);
    clock.advance(0);
    expect(atClient.closes).toEqual([]);
  });

  it('resets a connection whose server closed before accepting it', async () => {
    const { clock, network } = setup({ conditions: { delay: 10 } });
    const server = await network.listenStream('::1', 0);
    expect(server.local.port).toBe(49152);
    const client = await network.connectStream('::1', server.local.port);
    expect(client.local.address).toBe('::1');
    const atClient = collect(client);
    server.close();
    clock.advance(30);
    expect(atClient.closes).toEqual(['ECONNRESET']);
  });

  it('connects from a chosen local address with its own ephemeral port', async () => {
    const { clock, network } = setup();
    await pair(network, clock);
    const other = await network.connectStream('127.0.0.1', 5060, '127.0.0.5');
    expect(other.local).toEqual({ address: '127.0.0.5', port: 49153, family: 'IPv4' });
  });
});

describe('LoopbackNetwork connected datagram sockets', () => {
  it('are offered only when asked for', () => {
    expect(setup().network.connectDatagram).toBeUndefined();
    expect(setup({ reportUnreachable: true }).network.connectDatagram).toBeTypeOf('function');
  });

  it('hear ECONNREFUSED when their datagram reaches a port nobody is bound to, as on Linux', async () => {
    const { clock, network } = setup({ reportUnreachable: true });
    const socket = await network.connectDatagram!('127.0.0.1', 5999, '127.0.0.1');
    const errors: (string | undefined)[] = [];
    socket.onError((error) => errors.push(error.code));
    socket.send(bytes('\r\n\r\n'));
    clock.runUntilIdle();
    expect(errors).toEqual(['ECONNREFUSED']);
    expect(socket.remote).toMatchObject({ address: '127.0.0.1', port: 5999 });
  });

  it('hear nothing when someone listens, and nothing after close', async () => {
    const { clock, network } = setup({ reportUnreachable: true });
    const listener = await network.bindDatagram('127.0.0.1', 5999);
    const got = inbox(listener, clock);
    const socket = await network.connectDatagram!('127.0.0.1', 5999, '127.0.0.1');
    const errors: string[] = [];
    socket.onError((error) => errors.push(error.message));
    socket.send(bytes('ping'));
    clock.runUntilIdle();
    expect(got.map((r) => r.text)).toEqual(['ping']);
    listener.close();
    socket.send(bytes('late'));
    socket.close();
    clock.runUntilIdle();
    expect(errors).toEqual([]);
  });

  it('leave unconnected senders unaware of unreachable ports', async () => {
    const { clock, network } = setup({ reportUnreachable: true });
    const socket = await network.bindDatagram('127.0.0.1', 0);
    const errors: string[] = [];
    socket.onError((error) => errors.push(error.message));
    socket.send(bytes('x'), 5999, '127.0.0.1');
    clock.runUntilIdle();
    expect(errors).toEqual([]);
  });
});
