import { describe, expect, it } from 'vitest';
import { LEDGER_CLOSED_MESSAGE, SocketLedger } from '../../../../main/media/session/socket-ledger';
import type { DatagramSocket, SocketFactory } from '../../../../main/platform/sockets';
import { LoopbackNetwork } from '../../../support/loopback-network';
import { ManualClock } from '../../../support/manual-clock';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** A promise the test lets go of. */
class Gate {
  open: () => void = () => undefined;
  readonly promise = new Promise<undefined>((resolve) => (this.open = () => resolve(undefined)));
}

/** A socket whose release (its sends going out) the test decides. */
class SlowSocket implements DatagramSocket {
  readonly local = { address: '127.0.0.1', port: 40_000, family: 'IPv4' } as const;
  readonly release = new Gate();
  closes = 0;
  send(): void {}
  onMessage(): void {}
  onError(): void {}
  close(): void {
    this.closes++;
  }
  async released(): Promise<void> {
    await this.release.promise;
  }
}

/** Binds that answer when the test says so. */
class SlowFactory implements SocketFactory {
  readonly binds: { readonly socket: SlowSocket; readonly answer: () => void }[] = [];
  bindDatagram(): Promise<DatagramSocket> {
    const socket = new SlowSocket();
    const answer = deferred<DatagramSocket>();
    this.binds.push({ socket, answer: () => answer.resolve(socket) });
    return answer.promise;
  }
  listenStream: SocketFactory['listenStream'] = () => Promise.reject(new Error('not used'));
  connectStream: SocketFactory['connectStream'] = () => Promise.reject(new Error('not used'));
}

/** Whether `promise` has settled after the microtasks queued so far have run. */
async function settledNow(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let turn = 0; turn < 10; turn++) await Promise.resolve();
  return settled;
}

describe('SocketLedger', () => {
  it('closes every open socket and refuses binds from then on', async () => {
    const network = new LoopbackNetwork({ clock: new ManualClock() });
    const ledger = new SocketLedger(network);
    const a = await ledger.bindDatagram('127.0.0.1', 0);
    const b = await ledger.bindDatagram('127.0.0.1', 0);
    const heard: string[] = [];
    b.onMessage(() => heard.push('b'));
    expect(ledger.openCount).toBe(2);

    await ledger.closeAll();
    expect(ledger.openCount).toBe(0);
    expect(ledger.closed).toBe(true);
    // Closed for real: the network delivers nothing to b, and its port can be bound again.
    a.send(new Uint8Array([1]), b.local.port, '127.0.0.1');
    expect(heard).toEqual([]);
    await expect(network.bindDatagram('127.0.0.1', b.local.port)).resolves.toBeDefined();
    await expect(ledger.bindDatagram('127.0.0.1', 0)).rejects.toThrow(LEDGER_CLOSED_MESSAGE);
  });

  it('keeps a socket its owner closed until it is released, then forgets it', async () => {
    const factory = new SlowFactory();
    const ledger = new SocketLedger(factory);
    const binding = ledger.bindDatagram('127.0.0.1', 0);
    factory.binds[0]!.answer();
    // The very socket of the inner factory, not a wrapper around it (the per-packet path stays as it was).
    expect(await binding).toBe(factory.binds[0]!.socket);
    factory.binds[0]!.socket.close();
    expect(ledger.openCount).toBe(1);
    factory.binds[0]!.socket.release.open();
    await settledNow(factory.binds[0]!.socket.released());
    expect(ledger.openCount).toBe(0);
  });

  it('on closeAll, waits for a socket its owner closed and that is still being released', async () => {
    const factory = new SlowFactory();
    const ledger = new SocketLedger(factory);
    const binding = ledger.bindDatagram('127.0.0.1', 0);
    factory.binds[0]!.answer();
    (await binding).close();
    const closing = ledger.closeAll();
    expect(await settledNow(closing)).toBe(false);
    factory.binds[0]!.socket.release.open();
    await closing;
    expect(ledger.openCount).toBe(0);
  });

  it('closes the socket of a bind still in flight, fails that bind, and resolves only once it is released', async () => {
    const factory = new SlowFactory();
    const ledger = new SocketLedger(factory);
    const binding = ledger.bindDatagram('127.0.0.1', 0);
    const closing = ledger.closeAll();
    expect(await settledNow(closing)).toBe(false);

    factory.binds[0]!.answer();
    await expect(binding).rejects.toThrow(LEDGER_CLOSED_MESSAGE);
    expect(factory.binds[0]!.socket.closes).toBe(1);
    expect(await settledNow(closing)).toBe(false);
    factory.binds[0]!.socket.release.open();
    await closing;
    expect(ledger.openCount).toBe(0);
  });

  it('waits for an open socket to be released after closing it', async () => {
    const factory = new SlowFactory();
    const ledger = new SocketLedger(factory);
    const binding = ledger.bindDatagram('127.0.0.1', 0);
    factory.binds[0]!.answer();
    await binding;

    const closing = ledger.closeAll();
    expect(factory.binds[0]!.socket.closes).toBe(1);
    expect(await settledNow(closing)).toBe(false);
    factory.binds[0]!.socket.release.open();
    await closing;
  });

  it('passes a failed bind on as it is', async () => {
    const failing: SocketFactory = {
      bindDatagram: () => Promise.reject(new Error('EADDRNOTAVAIL')),
      listenStream: () => Promise.reject(new Error('not used')),
      connectStream: () => Promise.reject(new Error('not used')),
    };
    const ledger = new SocketLedger(failing);
    await expect(ledger.bindDatagram('127.0.0.1', 0)).rejects.toThrow('EADDRNOTAVAIL');
    await ledger.closeAll();
  });

  it('makes no stream sockets', async () => {
    const ledger = new SocketLedger(new LoopbackNetwork({ clock: new ManualClock() }));
    await expect(ledger.listenStream()).rejects.toThrow('datagram sockets only');
    await expect(ledger.connectStream()).rejects.toThrow('datagram sockets only');
  });
});
