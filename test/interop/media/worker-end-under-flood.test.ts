// Ending a media worker while its sockets are busy must never take the process down. Node (v20) aborts the whole
// process when a datagram reaches a socket of a worker being terminated (socket-ledger.ts), and a worker is at its
// busiest in its start-up warm-up (two legs per codec over loopback, a tick per event-loop turn). So workers are
// restarted, closed and crashed in the middle of the warm-up, many times, while every UDP socket of this process
// (the warm-up's, the port pool's, a call's) is flooded with datagrams. Surviving is the proof: an abort would end
// this test file's process.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MediaWorkerHost } from '../../../main/media/session/media-worker-host';
import { DEFAULT_WARM_UP_TICKS } from '../../../main/media/session/media-worker-protocol';
import { sleep, waitFor } from './support/media-test-kit';
import { ownUdpPorts } from './support/own-udp-ports';

const ROUNDS = 8;
/** A plausible RTP header (PCMU) and a frame of payload: the worker's parsers take it in like a stray stream. */
const DATAGRAM = new Uint8Array(172);
DATAGRAM.set([0x80, 0x00, 0x12, 0x34, 0, 0, 0x10, 0, 0xde, 0xad, 0xbe, 0xef]);

/** Sends DATAGRAM to every UDP port this process has open, 20 at a time per port and turn, until stopped. */
class Flood {
  readonly #socket: Socket = createSocket('udp4');
  #running = false;
  #ports: number[] = [];
  sent = 0;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#socket.bind(0, '127.0.0.1', resolve));
    this.#socket.on('error', () => undefined);
    this.#running = true;
    this.#spray();
  }

  /** Looks the ports up again (the warm-up binds and closes its own as it goes). */
  retarget(): number {
    const own = this.#socket.address().port;
    this.#ports = ownUdpPorts().filter((port) => port !== own);
    return this.#ports.length;
  }

  stop(): void {
    this.#running = false;
    this.#socket.close();
  }

  #spray(): void {
    if (!this.#running) return;
    for (let burst = 0; burst < 20; burst++) {
      for (const port of this.#ports) {
        this.#socket.send(DATAGRAM, port, '127.0.0.1');
        this.sent++;
      }
    }
    setImmediate(() => this.#spray());
  }
}

/** Warnings the hosts logged: a worker terminated without answering its shutdown would be one. */
const warnings: string[] = [];

function warmingHost(workerUrl?: URL): MediaWorkerHost {
  return new MediaWorkerHost({
    logger: {
      log: (level, message) => {
        if (level === 'warn' || level === 'error') warnings.push(message);
      },
    },
    warmUpTicks: DEFAULT_WARM_UP_TICKS,
    // At once, not 2 s after the worker is ready: the test needs the warm-up running.
    warmUpDelayMs: 0,
    ...(workerUrl === undefined ? {} : { workerUrl }),
  });
}

/** Waits until the process has more UDP sockets than `baseline` (the worker's warm-up has bound its legs). */
async function warmUpBound(flood: Flood, baseline: number): Promise<void> {
  await waitFor(() => flood.retarget() > baseline, 10_000);
}

describe('ending a media worker during its warm-up, under a datagram flood', () => {
  let flood: Flood;

  beforeEach(async () => {
    flood = new Flood();
    await flood.start();
  });

  afterEach(() => {
    flood.stop();
    // Every worker answered its shutdown (its sockets closed) before it was terminated. The crashed ones log their
    // error, which is what the crash test expects.
    expect(warnings.filter((message) => message !== 'media worker failed')).toEqual([]);
    warnings.length = 0;
  });

  it(`restarts a warming worker ${ROUNDS} times and the process lives on`, async () => {
    const host = warmingHost();
    const crashes: number[] = [];
    host.prepare('127.0.0.1');
    let flooded = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // The port pool's two pairs are 4 sockets (and the flood's own is not counted): more means the warm-up's legs.
      await warmUpBound(flood, 4);
      flooded++;
      // Somewhere in the priming or the first ticks of a round.
      await sleep(round * 15);
      flood.retarget();
      await host.restart();
      host.prepare('127.0.0.1');
      crashes.push(host.crashes);
    }
    await warmUpBound(flood, 4);
    await host.close();
    expect(flooded).toBe(ROUNDS);
    expect(flood.sent).toBeGreaterThan(0);
    // Every worker ended the way the host asked: none died on its own.
    expect(crashes.at(-1)).toBe(0);
  });

  it('closes warming hosts one after another and the process lives on', async () => {
    for (let round = 0; round < 3; round++) {
      const baseline = flood.retarget();
      const host = warmingHost();
      // Starts the worker (without a port pool: every socket beyond the baseline is the warm-up's).
      void host.warmedUp();
      await warmUpBound(flood, baseline);
      await sleep(round * 25);
      flood.retarget();
      await host.close();
      expect(host.crashes).toBe(0);
    }
  });

  it('survives a worker that dies of an uncaught error in the middle of its warm-up, and starts another', async () => {
    for (let round = 0; round < 2; round++) {
      const host = warmingHost(new URL('./support/crashing-media-worker.mjs', import.meta.url));
      const baseline = flood.retarget();
      void host.warmedUp();
      await warmUpBound(flood, baseline);
      // A call pauses the warm-up between two ticks, its legs still bound and flooded; the call is what DTMF needs.
      expect(await host.allocate('a', '127.0.0.1')).toMatchObject({ ok: true });
      expect(flood.retarget()).toBeGreaterThan(baseline + 2);
      // "9" throws on the worker thread (crashing-media-worker.mjs).
      expect(await host.sendDtmf('a', '9')).toMatchObject({ ok: false, error: { code: 'worker-crashed' } });
      expect(host.crashes).toBe(1);
      await host.close();
    }
  });
});
