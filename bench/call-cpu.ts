// Engine CPU per call: the media worker thread's CPU while calls carry speech both ways, for Opus and PCMU.
// 1. One call between our engine and baresip 1.0 (direct, on loopback, baresip answering): our worker thread beside
//    baresip's whole process, over the same seconds of the same call.
// 2. Our engine alone with 1, 5 and 10 simultaneous calls to a SIPp answerer that reflects every RTP packet
//    (`-rtp_echo`): the cost must grow linearly with the calls.
// `BENCH_CALL_SECONDS` sets the measured seconds per run (default 60); `BENCH_CALL_COUNTS` the simultaneous calls
// (default 1,5,10); `BENCH_CALL_CODECS` the codecs (default opus,pcmu).
// 3. The media worker's start-up warm-up, on and off: two engines in one process, one call each to the SIPp
//    reflector, measured over the same seconds (so the machine's load falls on both alike).
// 4. Opus complexity: what each setting costs per frame and how far its output is from the input.
// `BENCH_CALL_PARTS` picks parts (default versus,scaling,warmup,complexity).
// `npx tsx bench/call-cpu.ts` prints the tables; it also exports `benchmark` for bench/run.ts.
import { arch, cpus, loadavg, platform } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { Benchmark } from './benchmark';
import { BenchEngine, type BenchCall } from './calls/bench-engine';
import { startBaresipPhone, startSippAnswerer, sippTarget, writeMicrophoneFile } from './calls/peers';
import { linearFit } from './calls/linear-fit';
import { processCpuMs, threadCpuMs, ticksPerSecond } from './calls/proc-stat';
import { speechSignal } from './calls/speech-signal';
import { bandLevelDistance } from './calls/spectral-distance';
import { voiceWithFricatives } from './calls/voice-with-fricatives';
import { OpusDecoder, OpusEncoder } from '../main/media/codecs/opus-codec';
import { readFileSync } from 'node:fs';

type BenchCodec = 'opus' | 'pcmu';

const SECONDS = Number(process.env.BENCH_CALL_SECONDS ?? 60);
const COUNTS = (process.env.BENCH_CALL_COUNTS ?? '1,5,10').split(',').map(Number);
const CODECS = (process.env.BENCH_CALL_CODECS ?? 'opus,pcmu').split(',') as BenchCodec[];
const PARTS = new Set((process.env.BENCH_CALL_PARTS ?? 'versus,scaling,warmup,complexity').split(','));
/** Seconds every run lets pass before it starts counting: the worker's JIT, the jitter buffers' first fill. */
const WARM_UP_S = 3;
/** The microphone plays this much longer than the measured seconds, so it never runs out. */
const SPARE_S = 15;

const CODEC_NAMES: Record<BenchCodec, string> = { opus: 'Opus', pcmu: 'PCMU' };

/** CPU milliseconds of what is measured, and the wall-clock milliseconds they were spent in. */
interface Sample {
  readonly wallMs: number;
  readonly workerMs: number;
  readonly processMs: number;
  readonly peerMs: number;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sample(engine: BenchEngine, peerPid: number | undefined): Sample {
  const usage = process.cpuUsage();
  return {
    wallMs: performance.now(),
    workerMs: engine.workerThreadIds.reduce((sum, tid) => sum + threadCpuMs(tid), 0),
    processMs: (usage.user + usage.system) / 1000,
    peerMs: peerPid === undefined ? 0 : processCpuMs(peerPid),
  };
}

/** Each figure as a percentage of one core over the sample's wall time. */
function shareOfCore(
  before: Sample,
  after: Sample,
): { worker: number; process: number; peer: number; wallS: number } {
  const wallMs = after.wallMs - before.wallMs;
  return {
    worker: ((after.workerMs - before.workerMs) / wallMs) * 100,
    process: ((after.processMs - before.processMs) / wallMs) * 100,
    peer: ((after.peerMs - before.peerMs) / wallMs) * 100,
    wallS: wallMs / 1000,
  };
}

/** Measures `SECONDS` after the warm-up, while the calls run. */
async function measureWhile(
  engine: BenchEngine,
  peerPid: number | undefined,
): Promise<ReturnType<typeof shareOfCore>> {
  await pause(WARM_UP_S * 1000);
  const before = sample(engine, peerPid);
  await pause(SECONDS * 1000);
  return shareOfCore(before, sample(engine, peerPid));
}

interface VersusRow {
  readonly codec: BenchCodec;
  readonly worker: number;
  readonly process: number;
  readonly baresip: number;
  readonly wallS: number;
  readonly baresipRecording: boolean;
  readonly baresipReceivedPackets: number;
  readonly ourReceivedPackets: number;
}

async function versusBaresip(codec: BenchCodec, microphone: string, speech: Int16Array): Promise<VersusRow> {
  const { phone, recording } = await startBaresipPhone({
    codecs: [codec],
    answerMode: 'auto',
    source: microphone,
  });
  let engine: BenchEngine | undefined;
  try {
    engine = await BenchEngine.start({ codecs: [codec] });
    const call = await engine.dial(phone.directUri);
    if (!call.play(speech)) throw new Error('the call has no audio stream');
    const share = await measureWhile(engine, phone.pid);
    const status = await phone.audioStatus();
    const ours = received([call], codec);
    await call.hangup();
    if (!(status.packetsReceived > 0)) throw new Error(`baresip received no RTP: ${JSON.stringify(status)}`);
    return {
      codec,
      worker: share.worker,
      process: share.process,
      baresip: share.peer,
      wallS: share.wallS,
      baresipRecording: recording,
      baresipReceivedPackets: status.packetsReceived,
      ourReceivedPackets: ours.fewestPackets,
    };
  } finally {
    await engine?.close();
    await phone.stop();
  }
}

interface ScalingRow extends Received {
  readonly codec: BenchCodec;
  readonly calls: number;
  readonly worker: number;
  readonly process: number;
}

/** What the calls' own quality reports say they received: proof that each one decoded its echo. */
interface Received {
  /** The fewest RTP packets any of the calls had received by its latest report. */
  readonly fewestPackets: number;
  /** Frames concealed over all calls, and frames received into the jitter buffers. */
  readonly concealed: number;
  readonly buffered: number;
}

function received(calls: readonly BenchCall[], codec: BenchCodec): Received {
  let fewestPackets = Infinity;
  let concealed = 0;
  let buffered = 0;
  for (const call of calls) {
    const quality = call.quality();
    if (quality === undefined || quality.received.packets === 0) throw new Error('a call received no RTP');
    if (quality.codec !== codec) throw new Error(`a call ran ${quality.codec}, not ${codec}`);
    fewestPackets = Math.min(fewestPackets, quality.received.packets);
    concealed += quality.jitterBuffer.concealed;
    buffered += quality.jitterBuffer.received;
  }
  return { fewestPackets, concealed, buffered };
}

async function scaling(codec: BenchCodec, speech: Int16Array): Promise<ScalingRow[]> {
  const rows: ScalingRow[] = [];
  const sipp = await startSippAnswerer({ codec, calls: 1_000, echo: true });
  try {
    for (const count of COUNTS) {
      process.stderr.write(`  ${CODEC_NAMES[codec]}, ${count} simultaneous calls to SIPp\n`);
      const engine = await BenchEngine.start({ codecs: [codec] });
      const calls: BenchCall[] = [];
      try {
        for (let index = 0; index < count; index++) {
          const call = await engine.dial(sippTarget(sipp));
          calls.push(call);
          if (!call.play(speech)) throw new Error('the call has no audio stream');
        }
        const share = await measureWhile(engine, undefined);
        rows.push({
          codec,
          calls: count,
          worker: share.worker,
          process: share.process,
          ...received(calls, codec),
        });
      } finally {
        for (const call of calls) await call.hangup().catch(() => undefined);
        await engine.close();
      }
    }
  } finally {
    await sipp.stop();
  }
  return rows;
}

/** The worker with no call: its tick and event loop alone, the fixed part of the cost. */
async function idle(): Promise<{ readonly worker: number; readonly process: number }> {
  const engine = await BenchEngine.start();
  try {
    const share = await measureWhile(engine, undefined);
    return { worker: share.worker, process: share.process };
  } finally {
    await engine.close();
  }
}

const percent = (value: number): string => `${value.toFixed(2)} %`;

/**
 * On-CPU time of one thread in milliseconds from `/proc/self/task/<tid>/schedstat` (nanoseconds, unlike stat's
 * 10 ms ticks), for the A/B below where the difference sought is a few tenths of a per cent.
 */
function threadRunMs(tid: number): number {
  return Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
}

interface WarmUpRow {
  readonly codec: BenchCodec;
  readonly cold: number;
  readonly warm: number;
  readonly load: number;
}

/** One call from a cold worker and one from a warmed one, to the same SIPp, measured over the same seconds. */
async function warmUpAb(codec: BenchCodec, speech: Int16Array): Promise<WarmUpRow> {
  const sipp = await startSippAnswerer({ codec, calls: 1_000, echo: true });
  const engines: BenchEngine[] = [];
  const calls: BenchCall[] = [];
  try {
    engines.push(await BenchEngine.start({ codecs: [codec], warmUpTicks: 0 }));
    engines.push(await BenchEngine.start({ codecs: [codec] }));
    for (const engine of engines) {
      const call = await engine.dial(sippTarget(sipp));
      if (!call.play(speech)) throw new Error('the call has no audio stream');
      calls.push(call);
    }
    await pause(WARM_UP_S * 1000);
    const tids = engines.map((engine) => engine.workerThreadIds[0]!);
    const before = tids.map(threadRunMs);
    const started = performance.now();
    await pause(SECONDS * 1000);
    const wallMs = performance.now() - started;
    const share = tids.map((tid, index) => ((threadRunMs(tid) - before[index]!) / wallMs) * 100);
    received(calls, codec);
    return { codec, cold: share[0]!, warm: share[1]!, load: loadavg()[0]! };
  } finally {
    for (const call of calls) await call.hangup().catch(() => undefined);
    for (const engine of engines) await engine.close();
    await sipp.stop();
  }
}

interface ComplexityRow {
  readonly complexity: number;
  readonly encodeUs: number;
  readonly kbps: number;
  readonly distance: readonly [number, number];
}

/** Opus as our adapter sends it (32 kb/s, in-band FEC on at 0 % expected loss as a call starts, fullband), at each complexity. */
function opusComplexity(complexity: number, signals: readonly Int16Array[]): ComplexityRow {
  const frame = 960;
  let encodeUs = Infinity;
  let kbps = 0;
  const distance: number[] = [];
  for (const [index, signal] of signals.entries()) {
    // Three rounds; the fastest counts (the least disturbed by other work on the machine).
    for (let round = 0; round < 3; round++) {
      const encoder = new OpusEncoder({ fmtp: 'useinbandfec=1', complexity });
      const decoder = new OpusDecoder();
      const output = new Int16Array(signal.length);
      let bytes = 0;
      let cpuUs = 0;
      for (let start = 0; start + frame <= signal.length; start += frame) {
        const before = process.cpuUsage();
        const packet = encoder.encode(signal.subarray(start, start + frame));
        const used = process.cpuUsage(before);
        cpuUs += used.user + used.system;
        bytes += packet.length;
        output.set(decoder.decode(packet), start);
      }
      encoder.dispose();
      decoder.dispose();
      if (index === 0) encodeUs = Math.min(encodeUs, cpuUs / Math.floor(signal.length / frame));
      if (round === 0) {
        if (index === 0) kbps = (bytes * 8) / (signal.length / 48_000) / 1000;
        distance.push(bandLevelDistance(signal, output));
      }
    }
  }
  return { complexity, encodeUs, kbps, distance: [distance[0]!, distance[1]!] };
}

export async function measureCallCpu(): Promise<string> {
  const microphone = await writeMicrophoneFile(WARM_UP_S + SECONDS + SPARE_S);
  const speech = speechSignal(WARM_UP_S + SECONDS + SPARE_S);
  const versus: VersusRow[] = [];
  const scaled: ScalingRow[] = [];
  /** The 1-minute load average at moments of the run: the machine is shared with other work. */
  const loads: number[] = [];
  let idleCost: { readonly worker: number; readonly process: number } | undefined;
  const warmUps: WarmUpRow[] = [];
  const complexities: ComplexityRow[] = [];
  try {
    if (PARTS.has('versus')) {
      for (const codec of CODECS) {
        process.stderr.write(`  ${CODEC_NAMES[codec]}, one call with baresip\n`);
        loads.push(loadavg()[0]!);
        versus.push(await versusBaresip(codec, microphone.path, speech));
      }
    }
    if (PARTS.has('scaling')) {
      process.stderr.write('  the media worker without a call\n');
      idleCost = await idle();
      for (const codec of CODECS) scaled.push(...(await scaling(codec, speech)));
    }
    if (PARTS.has('warmup')) {
      for (const codec of CODECS) {
        process.stderr.write(`  ${CODEC_NAMES[codec]}, a cold and a warmed worker side by side\n`);
        warmUps.push(await warmUpAb(codec, speech));
      }
    }
    if (PARTS.has('complexity')) {
      process.stderr.write('  Opus complexity\n');
      const signals = [speechSignal(10), voiceWithFricatives(10)];
      for (const complexity of [3, 4, 5, 10]) complexities.push(opusComplexity(complexity, signals));
    }
    loads.push(loadavg()[0]!);
  } finally {
    await microphone.remove();
  }

  const lines = [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with Node ${process.version} on ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${cpus().length} cores, ${platform()} ${arch()}); ${SECONDS} s per run after ${WARM_UP_S} s of warm-up. The machine is shared: its 1-minute load average was ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the run (read at each baresip call's start and at the end).`,
    '',
    '**One call, our engine ⇄ baresip 1.0** (share of one core over the same seconds of the same call):',
    '',
    '| Codec | our media worker thread | our whole process | baresip process | worker ÷ baresip | goal |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const row of versus) {
    const ratio = row.worker / row.baresip;
    const goals = [`≤ 2× baresip: ${ratio <= 2 ? 'met' : 'not met'}`];
    if (row.codec === 'opus') goals.unshift(`≤ 2 %: ${row.worker <= 2 ? 'met' : 'not met'}`);
    lines.push(
      `| ${CODEC_NAMES[row.codec]} | ${percent(row.worker)} | ${percent(row.process)} | ${percent(row.baresip)} | ${ratio.toFixed(2)} | ${goals.join('; ')} |`,
    );
  }
  lines.push(
    '',
    '**Our engine, simultaneous calls** (to SIPp reflecting each RTP packet, so every call encodes and decodes):',
    '',
    '| Codec | calls | media worker thread | per call | per call ÷ one call’s | whole process | RTP received (fewest of the calls) | frames concealed / received |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  if (idleCost !== undefined) {
    lines.push(
      `| – | 0 (worker idle) | ${percent(idleCost.worker)} | – | – | ${percent(idleCost.process)} | – | – |`,
    );
  }
  for (const row of scaled) {
    const single = scaled.find((other) => other.codec === row.codec && other.calls === 1);
    const perCall = row.worker / row.calls;
    const relative = single === undefined ? '–' : (perCall / single.worker).toFixed(2);
    lines.push(
      `| ${CODEC_NAMES[row.codec]} | ${row.calls} | ${percent(row.worker)} | ${percent(perCall)} | ${relative} | ${percent(row.process)} | ${row.fewestPackets} | ${row.concealed} / ${row.buffered} |`,
    );
  }
  lines.push('');
  for (const codec of CODECS) {
    const points = scaled
      .filter((row) => row.codec === codec)
      .map((row) => ({ x: row.calls, y: row.worker }));
    if (points.length < 2) continue;
    const fit = linearFit(points);
    lines.push(
      `${CODEC_NAMES[codec]}: least-squares line through the worker figures with calls (the idle worker does not tick, so it is left out) ${fit.intercept.toFixed(2)} % shared + ${fit.slope.toFixed(2)} % per call; the farthest point is ${fit.maxResidual.toFixed(2)} points off it.`,
      '',
    );
  }
  if (warmUps.length > 0) {
    lines.push(
      '**The worker’s start-up warm-up, off and on** (two engines in one process, one call each to the SIPp reflector, the same seconds; the media worker thread’s on-CPU time from `/proc/self/task/<tid>/schedstat`):',
      '',
      '| Codec | worker, no warm-up | worker, warmed | change | 1-minute load at the end |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...warmUps.map(
        (row) =>
          `| ${CODEC_NAMES[row.codec]} | ${percent(row.cold)} | ${percent(row.warm)} | ${(((row.warm - row.cold) / row.cold) * 100).toFixed(0)} % | ${row.load.toFixed(1)} |`,
      ),
      '',
    );
  }
  if (complexities.length > 0) {
    lines.push(
      '**Opus complexity** (our adapter’s settings otherwise: 32 kb/s, in-band FEC on at 0 % expected loss as a call starts (FEC at 10 % adds about a quarter), fullband; 10 s of each signal; encode CPU per 20 ms frame, fastest of 3 rounds; band-level distance from the input, see bench/calls/spectral-distance.ts):',
      '',
      '| complexity | encode µs/frame | encode, % of one core | kb/s sent (speech-like) | distance, speech-like | distance, voice with fricatives |',
      '| ---: | ---: | ---: | ---: | ---: | ---: |',
      ...complexities.map(
        (row) =>
          `| ${row.complexity} | ${row.encodeUs.toFixed(0)} | ${percent(row.encodeUs / 200)} | ${row.kbps.toFixed(1)} | ${row.distance[0].toFixed(2)} dB | ${row.distance[1].toFixed(2)} dB |`,
      ),
      '',
    );
  }
  const recording = versus.some((row) => row.baresipRecording);
  lines.push(
    `Method: CPU is user + system time from Linux’s /proc (clock ticks of ${1000 / ticksPerSecond()} ms), divided by the wall time it was counted over. Node 20 has no per-thread CPU counter (\`process.cpuUsage()\` in a worker reports the whole process), so our figure is the media worker’s thread read from \`/proc/self/task/<tid>/stat\` (the thread that appears when the worker starts): its RTP sockets, codec, jitter buffer, RTCP and 20 ms tick. “Whole process” adds the main thread (SIP, the WAV player feeding the microphone and taking the speaker frames) and V8’s helper threads, and the benchmark itself. baresip’s figure is its process from \`/proc/<pid>/stat\` (every thread: SIP, aufile source, RTP, codec, jitter buffer, aubridge player).`,
    '',
    `Both ends run on 127.0.0.1 and play the same speech-like signal (a voice gliding 120–200 Hz with 10 harmonics, syllable-modulated, 0.5 s pause every 3 s, 48 kHz mono): ours through the WAV player on the call’s audio port, baresip through \`aufile\`; both decode what they receive and play it into nothing (our speaker frames go to the main thread, baresip’s to \`aubridge\`). The call offers only the codec measured; Opus runs at our defaults (32 kb/s, complexity 5, 20 ms; our offer caps the far end at 40 kb/s) and baresip’s Opus module at its own. baresip ${recording ? 'kept its sndfile recorder (rmmod failed), so it also wrote both directions to WAV' : 'had its sndfile recorder unloaded (`rmmod sndfile`), as ours records nothing'}; its jitter buffer is 1–3 frames. ${versus.map((row) => `${CODEC_NAMES[row.codec]}: baresip received ${row.baresipReceivedPackets} RTP packets, we ${row.ourReceivedPackets} (at our latest quality report)`).join('; ')}.`,
    '',
    'The scaling runs start a fresh engine per row, dial the calls one after another, and measure once all are up. SIPp’s `-rtp_echo` sends each packet back to where it came from, so each call decodes its own speech.',
  );
  return lines.join('\n');
}

/** None when `BENCH_CALL_PARTS` names none of this file's parts (only `floor`, say): its section stays as it was. */
const OWN_PARTS = ['versus', 'scaling', 'warmup', 'complexity'];
export const benchmark: Benchmark | undefined = OWN_PARTS.some((part) => PARTS.has(part))
  ? { section: 'Call CPU (per call, beside baresip)', run: measureCallCpu }
  : undefined;

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await measureCallCpu());
}
