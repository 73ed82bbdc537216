import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TransferListItem } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import {
  MediaWorkerHost,
  SHUTDOWN_GRACE_MS,
  asarUnpackedUrl,
  defaultMediaWorkerUrl,
  type WorkerLike,
} from '../../../../main/media/session/media-worker-host';
import type {
  HostMessage,
  MediaEvent,
  StreamParams,
} from '../../../../main/media/session/media-worker-protocol';
import { ManualClock } from '../../../support/manual-clock';

/** A worker that records what the host posts and answers only when the test says so. */
class FakeWorker implements WorkerLike {
  readonly posted: HostMessage[] = [];
  terminated = false;
  readonly #listeners: {
    message: ((value: unknown) => void)[];
    error: ((e: Error) => void)[];
    exit: ((c: number) => void)[];
  } = { message: [], error: [], exit: [] };

  postMessage(message: HostMessage, _transfer?: readonly TransferListItem[]): void {
    this.posted.push(message);
  }

  on(event: 'message' | 'error' | 'exit', listener: (value: never) => void): void {
    (this.#listeners[event] as ((value: never) => void)[]).push(listener);
  }

  terminate(): Promise<number> {
    this.terminated = true;
    return Promise.resolve(1);
  }

  send(message: unknown): void {
    for (const listener of this.#listeners.message) listener(message);
  }

  reply(index: number, value: unknown): void {
    this.send({ type: 'reply', id: this.posted[index]!.id, result: { ok: true, value } });
  }

  crash(message: string): void {
    for (const listener of this.#listeners.error) listener(new Error(message));
    this.exit(1);
  }

  exit(code: number): void {
    for (const listener of this.#listeners.exit) listener(code);
  }

  /** Answers the last `shutdown` posted, as the worker does once its sockets are closed. */
  answerShutdown(): void {
    const index = this.posted.findLastIndex((message) => message.type === 'shutdown');
    if (index < 0) throw new Error('no shutdown was posted');
    this.reply(index, null);
  }
}

const params: StreamParams = {
  codec: { payloadType: 0, name: 'pcmu', encodingName: 'PCMU', clockRate: 8000, channels: 1 },
  remoteRtp: { address: '127.0.0.1', port: 4000 },
  remoteRtcp: { address: '127.0.0.1', port: 4001 },
  rtcpMux: false,
  ptime: 20,
  send: true,
  receive: true,
};

/** A host on fake workers; without the port pool unless asked, so each allocate is one request. */
function hostWithFakes(portPoolSize = 0): {
  host: MediaWorkerHost;
  workers: FakeWorker[];
  events: MediaEvent[];
  clock: ManualClock;
  warnings: string[];
} {
  const workers: FakeWorker[] = [];
  const clock = new ManualClock();
  const warnings: string[] = [];
  const host = new MediaWorkerHost({
    clock,
    portPoolSize,
    logger: {
      log: (level, message) => {
        if (level === 'warn') warnings.push(message);
      },
    },
    createWorker: () => {
      const worker = new FakeWorker();
      workers.push(worker);
      return worker;
    },
  });
  const events: MediaEvent[] = [];
  host.onEvent((event) => events.push(event));
  return { host, workers, events, clock, warnings };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('MediaWorkerHost', () => {
  it("waits for the worker's warm-up when asked, and not after the worker is gone", async () => {
    const { host, workers } = hostWithFakes();
    let warmed = false;
    void host.warmedUp().then(() => (warmed = true));
    expect(workers).toHaveLength(1);
    await flush();
    expect(warmed).toBe(false);
    workers[0]!.send({ type: 'warmed', ticks: 1800 });
    await flush();
    expect(warmed).toBe(true);
    // Warm already: no wait.
    let again = false;
    void host.warmedUp().then(() => (again = true));
    await flush();
    expect(again).toBe(true);
    // A crashed worker's replacement warms up anew; a waiter for the crashed one is let go.
    const restarting = host.restart();
    workers[0]!.answerShutdown();
    await restarting;
    let replaced = false;
    void host.warmedUp().then(() => (replaced = true));
    await flush();
    expect(replaced).toBe(false);
    workers.at(-1)!.crash('gone');
    await flush();
    expect(replaced).toBe(true);
  });

  it('starts one worker on first use and matches replies to requests by id', async () => {
    const { host, workers } = hostWithFakes();
    expect(workers).toHaveLength(0);
    const first = host.allocate('a', '127.0.0.1');
    const second = host.allocate('b', '127.0.0.1');
    expect(workers).toHaveLength(1);
    const [worker] = workers;
    expect(
      worker!.posted.map((message) => [message.type, 'callId' in message ? message.callId : '']),
    ).toEqual([
      ['allocate', 'a'],
      ['allocate', 'b'],
    ]);
    worker!.reply(1, { rtpPort: 6000, rtcpPort: 6001 });
    worker!.reply(0, { rtpPort: 5000, rtcpPort: 5001 });
    expect(await first).toEqual({ ok: true, value: { rtpPort: 5000, rtcpPort: 5001 } });
    expect(await second).toEqual({ ok: true, value: { rtpPort: 6000, rtcpPort: 6001 } });
    expect(host.audioPort('a')).toBeDefined();
    expect(host.callIds).toEqual(['a', 'b']);
    host.audioPort('a')?.close();
    host.audioPort('b')?.close();
  });

  it('sends only the stream fields of negotiated media', async () => {
    const { host, workers } = hostWithFakes();
    const allocated = host.allocate('a', '127.0.0.1');
    workers[0]!.reply(0, { rtpPort: 5000, rtcpPort: 5001 });
    await allocated;
    const started = host.start('a', { ...params, mediaIndex: 0, heldByRemote: false } as StreamParams);
    workers[0]!.reply(1, null);
    expect(await started).toEqual({ ok: true, value: null });
    const message = workers[0]!.posted[1];
    expect(message?.type === 'start' && message.params).toEqual(params);
    host.audioPort('a')?.close();
  });

  it('answers unknown calls and duplicate calls without asking the worker', async () => {
    const { host, workers } = hostWithFakes();
    expect(await host.start('nobody', params)).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
    expect(await host.stop('nobody')).toMatchObject({ ok: false, error: { code: 'unknown-call' } });
    const allocated = host.allocate('a', '127.0.0.1');
    expect(await host.allocate('a', '127.0.0.1')).toMatchObject({
      ok: false,
      error: { code: 'duplicate-call' },
    });
    workers[0]!.send({
      type: 'reply',
      id: workers[0]!.posted[0]!.id,
      result: { ok: false, error: { code: 'bind-failed', message: 'EADDRNOTAVAIL' } },
    });
    expect(await allocated).toMatchObject({ ok: false, error: { code: 'bind-failed' } });
    expect(host.audioPort('a')).toBeUndefined();
  });

  it('passes mute, DTMF, update and stop to the worker for the call, and refuses an overlong digit string', async () => {
    const { host, workers } = hostWithFakes();
    const allocated = host.allocate('a', '127.0.0.1');
    workers[0]!.reply(0, { rtpPort: 5000, rtcpPort: 5001 });
    await allocated;
    const worker = workers[0]!;
    const replies = [
      host.setMuted('a', true),
      host.sendDtmf('a', '123'),
      host.update('a', { ...params, send: false }),
      host.stop('a'),
    ];
    worker.posted.slice(1).forEach((_, index) => worker.reply(index + 1, null));
    expect(await Promise.all(replies)).toEqual(Array(4).fill({ ok: true, value: null }));
    expect(worker.posted.slice(1).map((message) => message.type)).toEqual(['mute', 'dtmf', 'update', 'stop']);
    expect(host.audioPort('a')).toBeUndefined();
    expect(await host.sendDtmf('a', '1'.repeat(65))).toMatchObject({
      ok: false,
      error: { code: 'invalid-params' },
    });
  });

  it('forwards the events of known calls only, and forgets a call whose media failed', async () => {
    const { host, workers, events } = hostWithFakes();
    const allocated = host.allocate('a', '127.0.0.1');
    workers[0]!.reply(0, { rtpPort: 5000, rtcpPort: 5001 });
    await allocated;
    const worker = workers[0]!;
    worker.send({
      type: 'event',
      event: { type: 'dtmf', callId: 'a', digit: { digit: '7', durationMs: 100 } },
    });
    worker.send({
      type: 'event',
      event: { type: 'dtmf', callId: 'ghost', digit: { digit: '7', durationMs: 100 } },
    });
    worker.send({ type: 'event', event: { type: 'banana' } });
    worker.send('garbage');
    worker.send({
      type: 'event',
      event: { type: 'error', callId: 'a', failure: { code: 'stream-failed', message: 'x' } },
    });
    expect(events.map((event) => [event.type, event.callId])).toEqual([
      ['dtmf', 'a'],
      ['error', 'a'],
    ]);
    expect(host.audioPort('a')).toBeUndefined();
  });

  it('on a worker crash, fails requests in flight, tells every call, and starts a fresh worker on next use', async () => {
    const { host, workers, events } = hostWithFakes();
    const allocatedA = host.allocate('a', '127.0.0.1');
    const allocatedB = host.allocate('b', '127.0.0.1');
    workers[0]!.reply(0, { rtpPort: 5000, rtcpPort: 5001 });
    workers[0]!.reply(1, { rtpPort: 5002, rtcpPort: 5003 });
    await Promise.all([allocatedA, allocatedB]);
    const inFlight = host.start('a', params);
    workers[0]!.crash('out of memory');
    expect(await inFlight).toMatchObject({ ok: false, error: { code: 'worker-crashed' } });
    expect(events).toEqual([
      {
        type: 'error',
        callId: 'a',
        failure: { code: 'worker-crashed', message: 'the media worker stopped: out of memory' },
      },
      {
        type: 'error',
        callId: 'b',
        failure: { code: 'worker-crashed', message: 'the media worker stopped: out of memory' },
      },
    ]);
    expect(host.crashes).toBe(1);
    expect(host.callIds).toEqual([]);
    await flush();
    expect(workers[0]!.terminated).toBe(true);
    const again = host.allocate('c', '127.0.0.1');
    expect(workers).toHaveLength(2);
    workers[1]!.reply(0, { rtpPort: 5004, rtcpPort: 5005 });
    expect(await again).toMatchObject({ ok: true });
    host.audioPort('c')?.close();
  });

  it('restarts on request: the old worker calls end with worker-closed', async () => {
    const { host, workers, events } = hostWithFakes();
    const allocated = host.allocate('a', '127.0.0.1');
    workers[0]!.reply(0, { rtpPort: 5000, rtcpPort: 5001 });
    await allocated;
    const restarting = host.restart();
    workers[0]!.answerShutdown();
    await restarting;
    expect(workers).toHaveLength(2);
    expect(workers[0]!.terminated).toBe(true);
    expect(events).toMatchObject([{ type: 'error', callId: 'a', failure: { code: 'worker-closed' } }]);
    // A late exit of the old worker is not a crash of the new one.
    workers[0]!.crash('terminated');
    expect(host.crashes).toBe(0);
  });

  it('closes gracefully, or terminates a worker that does not answer the shutdown', async () => {
    const { host, workers, clock } = hostWithFakes();
    const allocated = host.allocate('a', '127.0.0.1');
    workers[0]!.reply(0, { rtpPort: 5000, rtcpPort: 5001 });
    await allocated;
    const closing = host.close();
    expect(workers[0]!.posted.at(-1)?.type).toBe('shutdown');
    clock.advance(1000);
    await closing;
    expect(workers[0]!.terminated).toBe(true);
    expect(await host.allocate('b', '127.0.0.1')).toMatchObject({
      ok: false,
      error: { code: 'worker-closed' },
    });
  });

  it('on restart, terminates the old worker only once it has answered the shutdown (its sockets closed)', async () => {
    const { host, workers } = hostWithFakes();
    const allocated = host.allocate('a', '127.0.0.1');
    workers[0]!.reply(0, { rtpPort: 5000, rtcpPort: 5001 });
    await allocated;
    let restarted = false;
    const restarting = host.restart().then(() => (restarted = true));
    expect(workers[0]!.posted.at(-1)?.type).toBe('shutdown');
    // The fresh worker is there at once; the old one runs until it answers.
    expect(workers).toHaveLength(2);
    await flush();
    expect(workers[0]!.terminated).toBe(false);
    expect(restarted).toBe(false);
    // Its other messages are no longer heard, its answer to the shutdown is.
    workers[0]!.send({ type: 'warmed', ticks: 3 });
    workers[0]!.answerShutdown();
    await restarting;
    expect(workers[0]!.terminated).toBe(true);
    expect(workers[1]!.posted).toEqual([]);
  });

  it(`terminates a worker that does not answer the shutdown within ${SHUTDOWN_GRACE_MS} ms, and one that exits meanwhile at once`, async () => {
    const { host, workers, clock, warnings } = hostWithFakes();
    await host.restart();
    let restarted = false;
    const restarting = host.restart().then(() => (restarted = true));
    clock.advance(SHUTDOWN_GRACE_MS - 1);
    await flush();
    expect(workers[0]!.terminated).toBe(false);
    expect(warnings).toEqual([]);
    clock.advance(1);
    await restarting;
    expect(restarted).toBe(true);
    expect(workers[0]!.terminated).toBe(true);
    expect(warnings).toEqual(['media worker did not answer the shutdown in time: terminated']);

    const again = host.restart();
    workers[1]!.exit(0);
    await again;
    expect(workers[1]!.terminated).toBe(true);
  });

  it('terminates a crashed worker without asking it anything', async () => {
    const { host, workers } = hostWithFakes();
    await host.restart();
    const before = workers[0]!.posted.length;
    workers[0]!.crash('out of memory');
    await flush();
    expect(workers[0]!.terminated).toBe(true);
    expect(workers[0]!.posted).toHaveLength(before);
  });

  it('on close, also waits for a worker that a restart is still ending', async () => {
    const { host, workers } = hostWithFakes();
    await host.restart();
    void host.restart();
    let closed = false;
    const closing = host.close().then(() => (closed = true));
    workers[1]!.answerShutdown();
    await flush();
    expect(workers[1]!.terminated).toBe(true);
    expect(closed).toBe(false);
    workers[0]!.answerShutdown();
    await closing;
    expect(workers[0]!.terminated).toBe(true);
  });

  it('logs a warm-up that ended early at debug level only', () => {
    const entries: { level: string; message: string; fields?: unknown }[] = [];
    const workers: FakeWorker[] = [];
    const host = new MediaWorkerHost({
      clock: new ManualClock(),
      portPoolSize: 0,
      logger: { log: (level, message, fields) => entries.push({ level, message, fields }) },
      createWorker: () => {
        const worker = new FakeWorker();
        workers.push(worker);
        return worker;
      },
    });
    void host.warmedUp();
    workers[0]!.send({
      type: 'warmed',
      ticks: 0,
      failure: 'warm-up: cannot bind an RTP socket on 127.0.0.1',
    });
    expect(entries).toEqual([
      {
        level: 'debug',
        message: 'media worker warm-up ended early',
        fields: { ticks: 0, failure: 'warm-up: cannot bind an RTP socket on 127.0.0.1' },
      },
    ]);
  });

  it('finds the bundled worker from the entry file or from a shared chunk one level down', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
    try {
      mkdirSync(join(dir, 'chunks'));
      writeFileSync(join(dir, 'media-worker.js'), '');
      const worker = pathToFileURL(join(dir, 'media-worker.js')).href;
      expect(defaultMediaWorkerUrl(pathToFileURL(join(dir, 'index.js')).href).href).toBe(worker);
      expect(defaultMediaWorkerUrl(pathToFileURL(join(dir, 'chunks', 'engine-1a2b.js')).href).href).toBe(
        worker,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds the worker module beside the sources, or in a bundle', () => {
    expect(defaultMediaWorkerUrl('file:///app/main/media/session/media-worker-host.ts').href).toBe(
      'file:///app/main/media/session/media-worker-bootstrap.mjs',
    );
    expect(defaultMediaWorkerUrl('file:///nowhere/out/main/index.mjs').href).toBe(
      'file:///nowhere/out/main/media-worker.mjs',
    );
  });
});

describe('asarUnpackedUrl', () => {
  it('moves a module inside app.asar to the unpacked folder beside the archive', () => {
    const packed = new URL('file:///opt/Softphone/resources/app.asar/out/main/media-worker.js');
    expect(asarUnpackedUrl(packed).href).toBe(
      'file:///opt/Softphone/resources/app.asar.unpacked/out/main/media-worker.js',
    );
    // Windows drive letters and escaped characters survive; only the archive's own segment changes.
    const windows = new URL(
      'file:///C:/Program%20Files/Softphone/resources/app.asar/out/main/media-worker.js',
    );
    expect(asarUnpackedUrl(windows).href).toBe(
      'file:///C:/Program%20Files/Softphone/resources/app.asar.unpacked/out/main/media-worker.js',
    );
  });

  it('leaves a URL alone that has no archive segment, or only looks like one', () => {
    for (const href of [
      'file:///home/user/softphone/out/main/media-worker.js',
      'file:///opt/Softphone/resources/app.asar.unpacked/out/main/media-worker.js',
      'file:///opt/app.asarx/out/main/media-worker.js',
      'https://example.com/app.asar/media-worker.js',
    ])
      expect(asarUnpackedUrl(new URL(href)).href).toBe(href);
  });

  it('is applied by the host before a worker starts, when the host is told to', () => {
    const packed = new URL('file:///opt/Softphone/resources/app.asar/out/main/media-worker.js');
    expect(new MediaWorkerHost({ workerUrl: packed }).workerUrl.href).toBe(packed.href);
    expect(new MediaWorkerHost({ workerUrl: packed, resolveWorkerUrl: asarUnpackedUrl }).workerUrl.href).toBe(
      'file:///opt/Softphone/resources/app.asar.unpacked/out/main/media-worker.js',
    );
  });
});

/** Answers every `reserve` posted so far and not yet answered, with even ports from `firstPort`. */
function answerReserves(worker: FakeWorker, answered: Set<number>, firstPort: number): number[] {
  const ports: number[] = [];
  worker.posted.forEach((message, index) => {
    if (message.type !== 'reserve' || answered.has(index)) return;
    answered.add(index);
    const rtpPort = firstPort + 2 * ports.length;
    ports.push(rtpPort);
    worker.reply(index, { rtpPort, rtcpPort: rtpPort + 1 });
  });
  return ports;
}

function typesOf(worker: FakeWorker): string[] {
  return worker.posted.map((message) => message.type);
}

describe('MediaWorkerHost port pool', () => {
  it('binds the first call as before and fills the pool behind it; the next call takes a pair without waiting', async () => {
    const { host, workers } = hostWithFakes(2);
    const first = host.allocate('a', '127.0.0.1');
    const worker = workers[0]!;
    // The call's own pair is asked for first, so the worker binds it before the pool's.
    expect(typesOf(worker)).toEqual(['allocate', 'reserve', 'reserve']);
    worker.reply(0, { rtpPort: 5000, rtcpPort: 5001 });
    expect(await first).toMatchObject({ ok: true, value: { rtpPort: 5000 } });
    const answered = new Set<number>();
    answerReserves(worker, answered, 6000);
    await flush();
    expect(host.pooledPorts('127.0.0.1')).toEqual({ ready: 2, binding: 0 });

    // No reply is given: the ports come from the pool.
    expect(await host.allocate('b', '127.0.0.1')).toEqual({
      ok: true,
      value: { rtpPort: 6000, rtcpPort: 6001 },
    });
    const reserve = worker.posted[1];
    expect(reserve?.type).toBe('reserve');
    // Nothing wakes the worker while the call is set up: neither the claim nor the fresh pair that replaces it.
    expect(typesOf(worker).slice(3)).toEqual([]);
    expect(host.pooledPorts('127.0.0.1')).toEqual({ ready: 1, binding: 0 });
    // The call's first command brings the claim before it, then the refill.
    void host.start('b', params);
    expect(typesOf(worker).slice(3)).toEqual(['claim', 'start', 'reserve']);
    const claim = worker.posted[3];
    expect(claim?.type === 'claim' && [claim.callId, claim.reservation]).toEqual([
      'b',
      (reserve as { reservation: number }).reservation,
    ]);
    expect(host.pooledPorts('127.0.0.1')).toEqual({ ready: 1, binding: 1 });
    void host.start('b', params);
    expect(typesOf(worker).slice(6)).toEqual(['start']);
    // The call's audio stream went over with the reservation: the same shared memory the host hands out for it.
    const audio = host.audioPort('b');
    expect(audio).toBeDefined();
    expect(reserve?.type === 'reserve' && reserve.audio.microphone).toBe(audio?.buffers.microphone);
    expect(reserve?.type === 'reserve' && reserve.audio.speaker).toBe(audio?.buffers.speaker);
    for (const callId of ['a', 'b']) host.audioPort(callId)?.close();
  });

  it("claims the pooled pair as soon as someone takes the call's audio stream", async () => {
    const { host, workers } = hostWithFakes(2);
    host.prepare('127.0.0.1');
    const worker = workers[0]!;
    answerReserves(worker, new Set(), 6000);
    await flush();
    await host.allocate('a', '127.0.0.1');
    expect(typesOf(worker)).toEqual(['reserve', 'reserve']);
    const port = host.audioPort('a');
    expect(port).toBeDefined();
    expect(typesOf(worker)).toEqual(['reserve', 'reserve', 'claim']);
    host.audioPort('a');
    void host.start('a', params);
    expect(typesOf(worker)).toEqual(['reserve', 'reserve', 'claim', 'start', 'reserve']);
    port?.close();
  });

  it('refills the pair a call took when the call ends before its stream starts, or at once when none is left', async () => {
    const { host, workers } = hostWithFakes(2);
    host.prepare('127.0.0.1');
    const worker = workers[0]!;
    answerReserves(worker, new Set(), 6000);
    await flush();
    await host.allocate('a', '127.0.0.1');
    expect(host.pooledPorts('127.0.0.1')).toEqual({ ready: 1, binding: 0 });
    // Never started: the worker made no stream of the pair, so it is released (closed), not stopped.
    expect(await host.stop('a')).toEqual({ ok: true, value: null });
    expect(typesOf(worker).slice(2)).toEqual(['reserve', 'release']);
    expect(host.pooledPorts('127.0.0.1')).toEqual({ ready: 1, binding: 1 });
    // The last ready pair taken: the refill cannot wait.
    await host.allocate('b', '127.0.0.1');
    expect(host.pooledPorts('127.0.0.1')).toEqual({ ready: 0, binding: 2 });
    host.audioPort('b')?.close();
  });

  it('gives every call its own pair: a reservation is claimed once and the refill is a new one', async () => {
    const { host, workers } = hostWithFakes(1);
    host.prepare('127.0.0.1');
    const worker = workers[0]!;
    const answered = new Set<number>();
    const claimed: number[] = [];
    for (const [index, callId] of ['a', 'b', 'c', 'd'].entries()) {
      answerReserves(worker, answered, 6000 + 10 * index);
      await flush();
      const allocated = await host.allocate(callId, '127.0.0.1');
      expect(allocated).toMatchObject({ ok: true, value: { rtpPort: 6000 + 10 * index } });
      void host.start(callId, params);
      const claim = worker.posted.find((message) => message.type === 'claim' && message.callId === callId);
      if (claim?.type !== 'claim') throw new Error('no claim posted');
      claimed.push(claim.reservation);
      void host.stop(callId);
    }
    expect(new Set(claimed).size).toBe(4);
    // Nothing is ever handed back to the pool: a stopped call's pair is stopped in the worker, not released to it.
    expect(typesOf(worker).filter((type) => type === 'release')).toEqual([]);
    expect(typesOf(worker).filter((type) => type === 'stop')).toHaveLength(4);
    expect(typesOf(worker).filter((type) => type === 'reserve')).toHaveLength(5);
  });

  it('stays within its size however many calls come, and binds as before when the pool is empty', async () => {
    const { host, workers } = hostWithFakes(1);
    host.prepare('127.0.0.1');
    host.prepare('127.0.0.1');
    const worker = workers[0]!;
    expect(typesOf(worker)).toEqual(['reserve']);
    // The pair is still being bound: the call cannot wait for it.
    const allocated = host.allocate('a', '127.0.0.1');
    expect(typesOf(worker)).toEqual(['reserve', 'allocate']);
    worker.reply(1, { rtpPort: 5000, rtcpPort: 5001 });
    expect(await allocated).toMatchObject({ ok: true, value: { rtpPort: 5000 } });
    expect(host.pooledPorts('127.0.0.1')).toEqual({ ready: 0, binding: 1 });
    host.audioPort('a')?.close();
  });

  it('never hands a pair of one address to a call on another (IPv4 and IPv6 stay apart)', async () => {
    const { host, workers } = hostWithFakes(1);
    host.prepare('127.0.0.1');
    const worker = workers[0]!;
    answerReserves(worker, new Set(), 6000);
    await flush();
    const allocated = host.allocate('a', '::1');
    const request = worker.posted.at(-2);
    expect(request?.type === 'allocate' && request.bindAddress).toBe('::1');
    const reserve = worker.posted.at(-1);
    expect(reserve?.type === 'reserve' && reserve.bindAddress).toBe('::1');
    worker.reply(worker.posted.length - 2, { rtpPort: 7000, rtcpPort: 7001 });
    expect(await allocated).toMatchObject({ ok: true, value: { rtpPort: 7000 } });
    expect(host.pooledPorts('127.0.0.1')).toEqual({ ready: 1, binding: 0 });
    host.audioPort('a')?.close();
  });

  it("ends the call's media when the worker refuses the claim", async () => {
    const { host, workers, events } = hostWithFakes(1);
    host.prepare('127.0.0.1');
    const worker = workers[0]!;
    answerReserves(worker, new Set(), 6000);
    await flush();
    expect(await host.allocate('a', '127.0.0.1')).toMatchObject({ ok: true });
    void host.start('a', params);
    const claimIndex = worker.posted.findIndex((message) => message.type === 'claim');
    worker.send({
      type: 'reply',
      id: worker.posted[claimIndex]!.id,
      result: { ok: false, error: { code: 'unknown-reservation', message: 'gone' } },
    });
    await flush();
    expect(events).toEqual([
      { type: 'error', callId: 'a', failure: { code: 'unknown-reservation', message: 'gone' } },
    ]);
    expect(host.audioPort('a')).toBeUndefined();
  });

  it('releases a pair that was bound after its address was given up', async () => {
    const { host, workers } = hostWithFakes(1);
    host.prepare('10.0.0.1');
    host.prepare('10.0.0.2');
    host.prepare('10.0.0.3');
    const worker = workers[0]!;
    expect(typesOf(worker)).toEqual(['reserve', 'reserve', 'reserve']);
    answerReserves(worker, new Set(), 6000);
    await flush();
    const released = worker.posted.filter((message) => message.type === 'release');
    expect(released.map((message) => message.type === 'release' && message.reservation)).toEqual([
      (worker.posted[0] as { reservation: number }).reservation,
    ]);
    expect(host.pooledPorts('10.0.0.1')).toEqual({ ready: 0, binding: 0 });
    expect(host.pooledPorts('10.0.0.3')).toEqual({ ready: 1, binding: 0 });
  });

  it('empties the pool when the worker crashes: the next call binds on the new worker', async () => {
    const { host, workers } = hostWithFakes(1);
    host.prepare('127.0.0.1');
    answerReserves(workers[0]!, new Set(), 6000);
    await flush();
    workers[0]!.crash('out of memory');
    expect(host.pooledPorts('127.0.0.1')).toEqual({ ready: 0, binding: 0 });
    const allocated = host.allocate('a', '127.0.0.1');
    expect(typesOf(workers[1]!)).toEqual(['allocate', 'reserve']);
    workers[1]!.reply(0, { rtpPort: 5000, rtcpPort: 5001 });
    expect(await allocated).toMatchObject({ ok: true, value: { rtpPort: 5000 } });
    host.audioPort('a')?.close();
  });

  it("empties the pool on close (the worker's shutdown closes the held pairs) and fills no more", async () => {
    const { host, workers, clock } = hostWithFakes(2);
    host.prepare('127.0.0.1');
    const worker = workers[0]!;
    answerReserves(worker, new Set(), 6000);
    await flush();
    const closing = host.close();
    expect(typesOf(worker).at(-1)).toBe('shutdown');
    worker.reply(worker.posted.length - 1, null);
    clock.advance(1000);
    await closing;
    expect(host.pooledPorts('127.0.0.1')).toEqual({ ready: 0, binding: 0 });
    host.prepare('127.0.0.1');
    expect(workers).toHaveLength(1);
    expect(typesOf(worker).filter((type) => type === 'reserve')).toHaveLength(2);
  });

  it('keeps no pool at size 0', async () => {
    const { host, workers } = hostWithFakes(0);
    host.prepare('127.0.0.1');
    expect(workers).toHaveLength(0);
    const allocated = host.allocate('a', '127.0.0.1');
    expect(typesOf(workers[0]!)).toEqual(['allocate']);
    workers[0]!.reply(0, { rtpPort: 5000, rtcpPort: 5001 });
    await allocated;
    host.audioPort('a')?.close();
  });
});
