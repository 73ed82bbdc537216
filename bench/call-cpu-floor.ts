// The machine's floor for one call's CPU (issue 7 §9's "≤ 2 % of one core"): what a thread pays on this machine for
// the parts of a call that any implementation has, measured one row at a time, each as the on-CPU time of its one
// thread over the wall time:
//   a. a C program that only sleeps to absolute 20 ms deadlines (the kernel's and the virtual machine's cost of a wake);
//   a′. a Node worker thread that only blocks in Atomics.wait to the same deadlines (a V8 thread, no event loop);
//   b. a Node worker thread with an empty tick of the media worker's own FrameScheduler (the event loop's cost);
//   c. (b) plus one RTP-sized datagram sent each tick to a child process that echoes it 10 ms later;
//   d. (b) plus one Opus encode and decode each tick through the call's adapters, at the call's settings;
//   e. (c) and (d) together: a bare call, without our RTP, jitter buffer, session or audio-port code.
// The real call's figure is the `versus` part of bench/call-cpu.ts, in its own section.
// `BENCH_CALL_SECONDS` sets the measured seconds per row (default 20 here); `BENCH_CALL_PARTS`, when set, runs this
// benchmark only if it lists `floor`. `npx tsx bench/call-cpu-floor.ts` prints the table; it also exports
// `benchmark` for bench/run.ts (`npm run bench -- floor`).
import { arch, cpus, loadavg, platform } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { Benchmark } from './benchmark';
import { startDeadlineSleeper, startEchoPeer, type EchoPeer } from './calls/floor-children';
import { FloorCounter, type FloorTimer } from './calls/floor-worker-data';
import { startFloorWorker, type FloorWorker } from './calls/floor-worker-host';
import { OpusFrameWork } from './calls/opus-frame-work';
import {
  ownThreadId,
  processSchedstat,
  threadCost,
  threadSchedstat,
  type Schedstat,
  type ThreadCost,
} from './calls/schedstat';

const SECONDS = Number(process.env.BENCH_CALL_SECONDS ?? 20);
const PARTS = process.env.BENCH_CALL_PARTS?.split(',');
/** Seconds each row runs before it is measured: the JIT, libopus's first frames, the peer settling. */
const WARM_UP_S = 3;
/** Frames and rounds of the back-to-back Opus loop. */
const BACK_TO_BACK_FRAMES = 1000;
const BACK_TO_BACK_ROUNDS = 3;
/** How long the echo peer holds each datagram: half a frame, so its return is a wake of its own. */
const ECHO_DELAY_MS = 10;

/** What one row measured, or why it could not. */
interface FloorRow {
  readonly key: string;
  readonly label: string;
  readonly cost?: ThreadCost;
  /** Per second of the measured time. */
  readonly ticks?: number;
  readonly echoes?: number;
  readonly opusKbps?: number;
  /** Highest 1-minute load average read at the row's start and end. */
  readonly load: number;
  readonly note?: string;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A thread's scheduler statistics and, for a worker, its shared counters, read at one moment. */
interface Reading {
  readonly stat: Schedstat;
  readonly counts: readonly number[];
}

interface Measured {
  readonly cost: ThreadCost;
  readonly before: Reading;
  readonly after: Reading;
  readonly wallMs: number;
  /** Highest 1-minute load average read at the start and the end. */
  readonly load: number;
}

/** Waits out the warm-up, then reads `read` before and after `SECONDS`. */
async function measure(read: () => Reading): Promise<Measured> {
  await pause(WARM_UP_S * 1000);
  const startLoad = loadavg()[0]!;
  const before = read();
  const started = performance.now();
  await pause(SECONDS * 1000);
  const after = read();
  const wallMs = performance.now() - started;
  return {
    cost: threadCost(before.stat, after.stat, wallMs),
    before,
    after,
    wallMs,
    load: Math.max(startLoad, loadavg()[0]!),
  };
}

/** Row a: bench/calls/deadline-sleeper.c, built with the system's `cc`. */
async function cSleeper(): Promise<FloorRow> {
  const key = 'a';
  const label = 'C thread, `clock_nanosleep` to absolute 20 ms deadlines, nothing else';
  const sleeper = await startDeadlineSleeper();
  if (typeof sleeper === 'string') {
    return { key, label, load: loadavg()[0]!, note: `not measured: ${sleeper}` };
  }
  try {
    const result = await measure(() => ({ stat: processSchedstat(sleeper.pid), counts: [] }));
    if (sleeper.exited) throw new Error('the C sleeper exited while it was measured');
    return { key, label, cost: result.cost, load: result.load };
  } finally {
    await sleeper.stop();
  }
}

/**
 * Row d's Opus work back to back, on this thread: on-CPU µs per frame, fastest of the rounds (the least disturbed).
 * The kernel brings a running thread's schedstat up to date only at its ticks, so each round is long enough
 * (about 0.3 s) for that lag to be small.
 */
function opusBackToBack(): number {
  const tid = ownThreadId();
  let fastest = Infinity;
  for (let round = 0; round < BACK_TO_BACK_ROUNDS; round++) {
    const work = new OpusFrameWork();
    try {
      const before = threadSchedstat(tid).runNs;
      for (let frame = 0; frame < BACK_TO_BACK_FRAMES; frame++) work.step();
      fastest = Math.min(fastest, (threadSchedstat(tid).runNs - before) / 1000 / BACK_TO_BACK_FRAMES);
    } finally {
      work.dispose();
    }
  }
  return fastest;
}

interface WorkerRowSpec {
  readonly key: string;
  readonly label: string;
  readonly timer: FloorTimer;
  readonly udp: boolean;
  readonly opus: boolean;
}

/** Rows a′ to e: one worker thread doing what `spec` says every 20 ms. */
async function workerRow(spec: WorkerRowSpec): Promise<FloorRow> {
  let peer: EchoPeer | undefined;
  let worker: FloorWorker | undefined;
  try {
    peer = spec.udp ? await startEchoPeer(ECHO_DELAY_MS) : undefined;
    const started = await startFloorWorker({
      timer: spec.timer,
      peerPort: peer?.port ?? null,
      opus: spec.opus,
    });
    worker = started;
    // The counters are read with the schedstat, so both cover the same seconds.
    const result = await measure(() => ({ stat: threadSchedstat(started.tid), counts: started.counts() }));
    if (peer?.exited === true) throw new Error('the UDP echo peer exited while it was measured');
    const perSecond = (slot: number): number =>
      (result.after.counts[slot]! - result.before.counts[slot]!) / (result.wallMs / 1000);
    return {
      key: spec.key,
      label: spec.label,
      cost: result.cost,
      ticks: perSecond(FloorCounter.ticks),
      ...(spec.udp ? { echoes: perSecond(FloorCounter.received) } : {}),
      ...(spec.opus ? { opusKbps: (perSecond(FloorCounter.encodedBytes) * 8) / 1000 } : {}),
      load: result.load,
    };
  } finally {
    await worker?.stop();
    await peer?.stop();
  }
}

const WORKER_ROWS: readonly WorkerRowSpec[] = [
  {
    key: 'a′',
    label: 'Node worker thread, `Atomics.wait` to the same deadlines (no event loop), nothing else',
    timer: 'atomics',
    udp: false,
    opus: false,
  },
  {
    key: 'b',
    label: 'Node worker thread, the media worker’s FrameScheduler (libuv timer), empty tick',
    timer: 'event-loop',
    udp: false,
    opus: false,
  },
  {
    key: 'c',
    label: 'b + one 92-byte datagram sent per tick, its echo received 10 ms later',
    timer: 'event-loop',
    udp: true,
    opus: false,
  },
  {
    key: 'd',
    label: 'b + one Opus encode and one decode per tick (our adapters and settings)',
    timer: 'event-loop',
    udp: false,
    opus: true,
  },
  {
    key: 'e',
    label: 'c + d: the Opus packet sent, the echoed one decoded at the next tick (a bare call)',
    timer: 'event-loop',
    udp: true,
    opus: true,
  },
];

/** One frame, µs. */
const FRAME_US = 20_000;

const percent = (value: number): string => `${value.toFixed(2)} %`;

function rowLine(row: FloorRow): string {
  if (row.cost === undefined) {
    return `| ${row.key} | ${row.label} | ${row.note ?? '–'} | | | | | ${row.load.toFixed(1)} |`;
  }
  const checks = [
    row.ticks === undefined ? undefined : `${row.ticks.toFixed(1)} ticks/s`,
    row.echoes === undefined ? undefined : `${row.echoes.toFixed(1)} echoes/s`,
    row.opusKbps === undefined ? undefined : `${row.opusKbps.toFixed(1)} kb/s Opus`,
  ].filter((check) => check !== undefined);
  return `| ${row.key} | ${row.label} | ${percent(row.cost.percentOfCore)} | ${row.cost.wakesPerSecond.toFixed(1)} | ${row.cost.runUsPerWake.toFixed(0)} | ${row.cost.waitUsPerWake.toFixed(0)} | ${checks.join(', ') || '–'} | ${row.load.toFixed(1)} |`;
}

/** The differences between rows that isolate one ingredient each, as a sentence (rows not measured are left out). */
function differences(rows: readonly FloorRow[]): string {
  const share = (key: string): number | undefined => rows.find((row) => row.key === key)?.cost?.percentOfCore;
  const parts: string[] = [];
  const step = (what: string, from: string, to: string): void => {
    const low = share(from);
    const high = share(to);
    if (low !== undefined && high !== undefined) {
      parts.push(`${what} (${to} − ${from}) ${percent(high - low)}`);
    }
  };
  step('Node’s thread over C’s', 'a', 'a′');
  step('the event loop over Atomics.wait', 'a′', 'b');
  step('the datagram out and its echo in', 'b', 'c');
  step('Opus encode + decode at 20 ms cadence', 'b', 'd');
  const [b, c, d, e] = ['b', 'c', 'd', 'e'].map(share);
  if (b !== undefined && c !== undefined && d !== undefined && e !== undefined) {
    parts.push(`the two together (e − b) ${percent(e - b)} against their sum ${percent(c - b + d - b)}`);
  }
  return parts.length === 0 ? '' : `Differences: ${parts.join('; ')}.`;
}

/** Row d's Opus cost per tick beside the same work back to back. */
function cadenceSentence(rows: readonly FloorRow[], backToBackUs: number): string {
  const share = (key: string): number | undefined => rows.find((row) => row.key === key)?.cost?.percentOfCore;
  const [b, d] = [share('b'), share('d')];
  const backToBack = `Back to back (${BACK_TO_BACK_FRAMES} frames in a tight loop on the benchmark’s main thread, fastest of ${BACK_TO_BACK_ROUNDS} rounds) the same encode + decode takes ${backToBackUs.toFixed(0)} µs per frame, ${percent((backToBackUs / FRAME_US) * 100)} of one core at 50 frames/s`;
  if (b === undefined || d === undefined) return `${backToBack}.`;
  const perTickUs = ((d - b) / 100) * FRAME_US;
  return `${backToBack}; once per 20 ms tick (d − b) it takes ${perTickUs.toFixed(0)} µs, ${(perTickUs / backToBackUs).toFixed(2)}× as much. This run does not isolate why; the likeliest cause is that every tick starts with caches that other work used while the thread slept.`;
}

function goalSentence(rows: readonly FloorRow[]): string {
  const bare = rows.find((row) => row.key === 'e')?.cost?.percentOfCore;
  if (bare === undefined) return '';
  const left = 2 - bare;
  return left >= 0
    ? `Against the 2 % goal: the bare call (e) takes ${percent(bare)}, which leaves ${percent(left)} of one core in this run for everything a real call adds (RTP and RTCP, the jitter buffer, the session, the audio port to the main thread).`
    : `Against the 2 % goal: the bare call (e) alone takes ${percent(bare)}, ${percent(-left)} above it in this run, before anything a real call adds (RTP and RTCP, the jitter buffer, the session, the audio port to the main thread).`;
}

export async function measureCallCpuFloor(): Promise<string> {
  if (!(SECONDS > 0))
    throw new Error(
      `BENCH_CALL_SECONDS must be a positive number of seconds, not ${JSON.stringify(process.env.BENCH_CALL_SECONDS)}`,
    );
  const rows: FloorRow[] = [];
  process.stderr.write('  Opus encode + decode back to back\n');
  const backToBackUs = opusBackToBack();
  process.stderr.write('  a. C thread sleeping to 20 ms deadlines\n');
  rows.push(await cSleeper());
  for (const spec of WORKER_ROWS) {
    process.stderr.write(`  ${spec.key}. ${spec.label}\n`);
    rows.push(await workerRow(spec));
  }
  const loads = rows.map((row) => row.load);
  return [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with Node ${process.version} on ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${cpus().length} cores, ${platform()} ${arch()}); each row ${SECONDS} s after ${WARM_UP_S} s of warm-up, one row at a time. The machine is shared: its 1-minute load average was ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the run.`,
    '',
    '| row | what the one thread does every 20 ms | on-CPU, % of one core | wakes/s | on-CPU µs per wake | µs per wake waiting for a CPU | checks | 1-minute load |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- | ---: |',
    ...rows.map(rowLine),
    '',
    differences(rows),
    '',
    cadenceSentence(rows, backToBackUs),
    '',
    goalSentence(rows),
    '',
    `Method: each row is one thread, measured as its on-CPU time from Linux’s scheduler statistics (\`/proc/self/task/<tid>/schedstat\` for a worker thread, \`/proc/<pid>/schedstat\` for the single-threaded C program; nanoseconds, where \`stat\` counts 10 ms ticks) over the wall time. “Wakes” are the times the thread was put on a CPU. Row a is the kernel’s and the virtual machine’s price of one wake per frame; a′ adds a V8 thread that blocks without its event loop; b is what every Node media thread with a 20 ms timer pays before it does any work (our FrameScheduler on libuv’s timers, as in the media worker). c adds one datagram of an Opus packet’s size (12-byte RTP header, 80 bytes of payload) on a connected UDP socket each tick and its echo from a separate process (bench/calls/udp-echo-peer.ts) ${ECHO_DELAY_MS} ms later, so receiving is a wake of its own, as in a call. d adds one encode of a speech-like frame and one decode through main/media/codecs/opus-codec.ts, with the far end’s fmtp \`useinbandfec=1\` and our defaults (32 kb/s, complexity 5, in-band FEC on with the expected loss at 0 %, as a call starts before the far end reports any, 48 kHz mono, 20 ms), libopus in WebAssembly. e is c and d together: the floor for one call’s media that a Node thread with a libuv timer, a UDP socket and WebAssembly libopus at these settings pays on this machine, with none of our RTP, jitter buffer or session code. The real call’s media worker, measured against baresip, is in “Call CPU (per call, beside baresip)”; the difference between it and row e is what that code costs. The rows run one after another, so load from other work on the machine falls on each differently; the last column and the waiting time show how crowded it was.`,
  ].join('\n');
}

export const benchmark: Benchmark | undefined =
  PARTS === undefined || PARTS.includes('floor')
    ? { section: 'Call CPU floor', run: measureCallCpuFloor }
    : undefined;

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await measureCallCpuFloor());
}
