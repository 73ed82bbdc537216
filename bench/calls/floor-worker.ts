// One row of the CPU-floor benchmark (bench/call-cpu-floor.ts) inside a worker thread: a 20 ms tick that does only
// what the row asks for, so the thread's on-CPU time is the cost of that much of a call and nothing else.
// - `timer: 'event-loop'` ticks with the media worker's own FrameScheduler on the system clock (libuv timers to
//   absolute deadlines); `'atomics'` blocks in Atomics.wait to the same deadlines instead, never turning the loop.
// - `peerPort`: each tick sends one RTP-sized datagram to the echo peer on 127.0.0.1; its echo comes back 10 ms
//   later, a wake of its own.
// - `opus`: each tick encodes one 20 ms frame of speech and decodes one packet (the latest echo when there is one,
//   else the packet just encoded) with the call's Opus adapters and settings.
// The worker posts its thread id once, then counts in shared memory that the benchmark reads without waking it.
// Started through floor-worker-bootstrap.mjs (a worker does not inherit tsx's loader).
import { createSocket, type Socket } from 'node:dgram';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { FRAME_MS, FRAME_SAMPLES } from '../../main/media/media-seams';
import { FrameScheduler } from '../../main/media/session/frame-scheduler';
import { SystemClock } from '../../main/platform/clock';
import { FloorCounter, parseFloorWorkerData } from './floor-worker-data';
import { ownThreadId } from './schedstat';
import { OpusFrameWork } from './opus-frame-work';

/** RFC 3550 §5.1's fixed header; no CSRCs, no extension. */
const RTP_HEADER_BYTES = 12;
/** What 20 ms of Opus at 32 kb/s fills: the payload of the rows that send without encoding. */
const STAND_IN_PAYLOAD = new Uint8Array((32_000 / 8) * (FRAME_MS / 1000));
const PAYLOAD_TYPE = 111;
const SSRC = 0x5eed_f100;

const data = parseFloorWorkerData(workerData);
const counters = new Int32Array(data.counters);
const port = ((): MessagePort => {
  if (parentPort === null) throw new Error('floor-worker runs only as a worker thread');
  return parentPort;
})();

/** An RTP packet by hand, so no part of our RTP code is measured: version 2, no padding, no marker. */
function rtpPacket(index: number, payload: Uint8Array): Buffer {
  const packet = Buffer.allocUnsafe(RTP_HEADER_BYTES + payload.length);
  packet[0] = 0x80;
  packet[1] = PAYLOAD_TYPE;
  packet.writeUInt16BE(index & 0xffff, 2);
  packet.writeUInt32BE((index * FRAME_SAMPLES) >>> 0, 4);
  packet.writeUInt32BE(SSRC, 8);
  packet.set(payload, RTP_HEADER_BYTES);
  return packet;
}

const opus = data.opus ? new OpusFrameWork() : undefined;
let socket: Socket | undefined;
/** The payload of the latest echo not yet decoded. */
let received: Uint8Array | undefined;

function tick(index: number): void {
  Atomics.add(counters, FloorCounter.ticks, 1);
  let payload: Uint8Array = STAND_IN_PAYLOAD;
  if (opus !== undefined) {
    // A view the encoder reuses: copied into the packet below, before the next step.
    payload = opus.step(received);
    Atomics.add(counters, FloorCounter.encodedBytes, payload.length);
    received = undefined;
  }
  if (socket !== undefined) {
    socket.send(rtpPacket(index, payload));
    Atomics.add(counters, FloorCounter.sent, 1);
  }
}

function finish(): void {
  socket?.close();
  opus?.dispose();
  port.close();
}

function runOnEventLoop(): void {
  const scheduler = new FrameScheduler({ clock: new SystemClock(), periodMs: FRAME_MS });
  scheduler.start((index) => {
    if (Atomics.load(counters, FloorCounter.stop) !== 0) {
      scheduler.stop();
      finish();
      return;
    }
    tick(index);
  });
}

function runOnAtomics(): void {
  const origin = performance.now();
  for (let index = 0; Atomics.load(counters, FloorCounter.stop) === 0; index++) {
    tick(index);
    const waitMs = origin + (index + 1) * FRAME_MS - performance.now();
    // Woken early by the benchmark's notify when it sets `stop`.
    if (waitMs > 0) Atomics.wait(counters, FloorCounter.stop, 0, waitMs);
  }
  finish();
}

function start(): void {
  port.postMessage({ tid: ownThreadId() });
  if (data.timer === 'atomics') runOnAtomics();
  else runOnEventLoop();
}

if (data.peerPort === null) {
  start();
} else {
  const udp = createSocket('udp4');
  socket = udp;
  udp.on('message', (datagram) => {
    received = datagram.subarray(RTP_HEADER_BYTES);
    Atomics.add(counters, FloorCounter.received, 1);
  });
  udp.on('error', (error) => {
    throw error;
  });
  // Connected, so each send names no address and node:dgram looks none up.
  udp.bind(0, '127.0.0.1', () => udp.connect(data.peerPort!, '127.0.0.1', start));
}
