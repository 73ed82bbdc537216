// The window's audio (issue 8 §4), in Debian's Chromium against the web host, calling SIPp's answerer that reflects
// every RTP packet (`-rtp_echo`, a zero-delay far end):
// 1. Mouth-to-ear as a round trip: Chromium's fake microphone plays a click track → capture worklet → web host
//    socket → engine → RTP → SIPp → RTP → engine (jitter buffer) → socket → playback worklet. The page's audio tap
//    records the microphone source and the playback worklet's output side by side on one AudioContext, so each
//    click's round trip is read on one clock. Where the time goes is told from what each stage reports.
// 2. Frames between the window and the engine over a long call: what the page sent and received against the 50 a
//    second a 20 ms stream carries, and what the playback ring had to conceal.
// 3. CPU of Chromium's processes during the call: the page's renderer, the audio service, the GPU and browser.
// `BENCH_WINDOW_AUDIO_SECONDS` sets the long call (default 600); `BENCH_WINDOW_AUDIO_CLICKS` the clicks timed
// (default 30). `npx tsx bench/window-audio.ts` prints the section; `npm run bench -- window-audio` records it.
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { arch, cpus, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import type { Benchmark } from './benchmark';
import { startSippAnswerer, sippTarget } from './calls/peers';
import { quantile } from './calls/spread';
import { type ChromiumProcess, chromiumProcesses, cpuOf } from './window/chromium-processes';
import { clickOnsets, clickTrack, roundTrips } from './window/click-track';
import { AudioTap, type PlaybackReport } from '../test/e2e/support/audio-tap';
import { type WebHostProcess, startWebHost } from '../test/e2e/support/web-host-process';
import { commandRoundTripsMs } from '../test/e2e/support/web-host-commands';
import type { SippHandle } from '../test/interop/support/sipp';
import { writeWavFile } from '../test/support/audio/wav-files';
import { CHROMIUM_ARGS, chromiumPath, fakeMicrophoneArgs } from '../test/support/chromium';

const LONG_CALL_S = Number(process.env.BENCH_WINDOW_AUDIO_SECONDS ?? 600);
const CLICKS = Number(process.env.BENCH_WINDOW_AUDIO_CLICKS ?? 30);
/** Seconds after the call is up before anything is counted: the worklets start, the buffers fill. */
const WARM_UP_S = 3;
const FRAMES_PER_S = 50;
const GOAL_MS = 150;

function log(text: string): void {
  console.error(`window-audio: ${text}`);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '–');

interface Stage {
  readonly dir: string;
  readonly sipp: SippHandle;
  readonly host: WebHostProcess;
  readonly browser: Browser;
  readonly page: Page;
  readonly tap: AudioTap;
}

async function startStage(): Promise<Stage> {
  const dir = await mkdtemp(join(tmpdir(), 'softphone-bench-window-'));
  const clicks = join(dir, 'clicks.wav');
  await writeWavFile(clicks, clickTrack({ durationS: 10 }));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const sipp = await startSippAnswerer({ codec: 'pcmu', calls: 1, echo: true });
  const host = await startWebHost(dataDir);
  const browser = await chromium.launch({
    executablePath: chromiumPath()!,
    args: [...CHROMIUM_ARGS, ...fakeMicrophoneArgs(clicks)],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('crash', () => log('the page crashed'));
  const tap = new AudioTap(page);
  await tap.install();
  await page.goto(host.url);
  return { dir, sipp, host, browser, page, tap };
}

async function stopStage(stage: Stage): Promise<void> {
  await stage.browser.close().catch(() => undefined);
  await stage.host.stop().catch(() => undefined);
  await stage.sipp.stop().catch(() => undefined);
  await rm(stage.dir, { recursive: true, force: true });
}

/** Dials SIPp from the dialpad, as a person would, and waits until the window's audio runs both ways. */
async function dial(stage: Stage): Promise<void> {
  // With no account yet the window opens on the settings.
  await stage.page
    .getByRole('navigation', { name: 'Views' })
    .getByRole('button', { name: 'Dialpad' })
    .click();
  const field = stage.page.getByRole('textbox', { name: 'Number or SIP address' });
  await field.waitFor({ timeout: 15_000 });
  await field.fill(sippTarget(stage.sipp));
  await field.press('Enter');
  await stage.page
    .locator('.call .state')
    .getByText(/Connected/)
    .waitFor({ timeout: 15_000 });
  const deadline = performance.now() + 15_000;
  for (;;) {
    const counters = await stage.tap.counters();
    if (counters.microphoneSeen && counters.speakerSeen && counters.framesReceived > 0) return;
    if (performance.now() > deadline) {
      throw new Error(`the window's audio never started: ${JSON.stringify(counters)}`);
    }
    await pause(100);
  }
}

/** The engine's jitter buffer as the call screen's quality details show it, ms. */
async function jitterBufferMs(page: Page): Promise<number> {
  const toggle = page.getByRole('button', { name: /^Quality:/ });
  if ((await toggle.getAttribute('aria-expanded')) !== 'true') await toggle.click();
  const details = page.locator('.call .details');
  const deadline = performance.now() + 15_000;
  for (;;) {
    const match = /Jitter buffer\s*([\d.]+)\s*ms/.exec(await details.innerText());
    if (match) return Number(match[1]);
    if (performance.now() > deadline) return Number.NaN;
    await pause(250);
  }
}

/** Half the median round trip of a command on an open socket of the page: how long a message takes each way. */
async function socketOneWayMs(page: Page, port: number): Promise<number> {
  const times = await commandRoundTripsMs(page, port, 50);
  return (
    quantile(
      [...times].sort((a, b) => a - b),
      0.5,
    ) / 2
  );
}

interface RoundTripResult {
  readonly delaysMs: number[];
  readonly unanswered: number;
  readonly jitterBufferMs: number;
  readonly playback: PlaybackReport | null;
  readonly socketOneWayMs: number;
  readonly sampleRate: number;
  readonly baseLatencyMs: number;
}

async function measureRoundTrip(stage: Stage): Promise<RoundTripResult> {
  await stage.tap.start();
  // One click a second, plus a second for the last click to come back.
  await stage.tap.waitForRecorded(CLICKS + 1, (CLICKS + 30) * 1_000);
  await stage.tap.stop();
  log('recorded; reading the recording');
  const microphone = await stage.tap.take('microphone');
  const speaker = await stage.tap.take('speaker');
  const trips = roundTrips(clickOnsets(microphone), clickOnsets(speaker));
  const baseLatencyMs = await stage.page.evaluate(() => {
    // The window's context is not reachable from here; a new one at the same rate reports the same base latency.
    const scope = globalThis as unknown as {
      AudioContext: new (options: object) => { baseLatency: number; close(): Promise<void> };
    };
    const context = new scope.AudioContext({ sampleRate: 48_000, latencyHint: 'interactive' });
    const latency = context.baseLatency * 1_000;
    void context.close();
    return latency;
  });
  log('reading what each stage reports');
  return {
    delaysMs: trips.delaysS.map((delay) => delay * 1_000),
    unanswered: trips.unanswered,
    jitterBufferMs: await jitterBufferMs(stage.page),
    playback: await stage.tap.playbackStats(),
    socketOneWayMs: await socketOneWayMs(stage.page, stage.host.port),
    sampleRate: microphone.sampleRate,
    baseLatencyMs,
  };
}

interface LongCallResult {
  readonly seconds: number;
  readonly framesSent: number;
  readonly framesReceived: number;
  readonly expected: number;
  readonly playbackBefore: PlaybackReport | null;
  readonly playbackAfter: PlaybackReport | null;
  readonly cpu: { readonly process: ChromiumProcess; readonly share: number }[];
}

async function measureLongCall(stage: Stage): Promise<LongCallResult> {
  const processes = chromiumProcesses(process.pid);
  const before = await stage.tap.counters();
  const playbackBefore = await stage.tap.playbackStats();
  const cpuBefore = cpuOf(processes);
  const started = performance.now();
  for (let left = LONG_CALL_S; left > 0; left -= 60) {
    log(`long call: ${Math.round(left)} s to go`);
    await pause(Math.min(left, 60) * 1_000);
  }
  const after = await stage.tap.counters();
  const cpuAfter = cpuOf(processes);
  const wallMs = performance.now() - started;
  return {
    seconds: wallMs / 1_000,
    framesSent: after.framesSent - before.framesSent,
    framesReceived: after.framesReceived - before.framesReceived,
    expected: (wallMs / 1_000) * FRAMES_PER_S,
    playbackBefore,
    playbackAfter: await stage.tap.playbackStats(),
    cpu: processes.map((process) => ({
      process,
      share: (((cpuAfter.get(process.pid) ?? 0) - (cpuBefore.get(process.pid) ?? 0)) / wallMs) * 100,
    })),
  };
}

function processName(process: ChromiumProcess, busiestRenderer: number | undefined): string {
  if (process.type === 'renderer') {
    return process.pid === busiestRenderer
      ? 'renderer (the page, its worklets)'
      : 'renderer (another, spare)';
  }
  if (process.type === 'utility' && process.subType?.includes('Audio')) return 'audio service';
  if (process.type === 'utility') return `utility (${process.subType ?? '?'})`;
  return process.type;
}

function counterDelta(before: PlaybackReport | null, after: PlaybackReport | null): string {
  if (after === null) return 'not reported';
  return Object.entries(after)
    .filter(([key, value]) => typeof value === 'number' && key !== 'fill' && key !== 'sampleRate')
    .map(([key, value]) => `${key} ${(value as number) - ((before?.[key] as number | undefined) ?? 0)}`)
    .join(', ');
}

function report(trip: RoundTripResult, long: LongCallResult): string {
  const sorted = [...trip.delaysMs].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  const fillMs =
    typeof trip.playback?.fill === 'number' && typeof trip.playback.sampleRate === 'number'
      ? (trip.playback.fill / trip.playback.sampleRate) * 1_000
      : Number.NaN;
  // Parts each stage reports; what is left is the engine's own work and the waits between 20 ms ticks.
  const capture = 10; // the capture worklet waits for a whole 20 ms frame: 10 ms on average
  const socket = 2 * trip.socketOneWayMs;
  const rest = median - capture - socket - trip.jitterBufferMs - fillMs - trip.baseLatencyMs;
  const byShare = [...long.cpu].sort((a, b) => b.share - a.share);
  // The page's renderer is the one that works during a call; the others are spares Chromium keeps.
  const busiestRenderer = byShare.find((entry) => entry.process.type === 'renderer')?.process.pid;
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with Node ${process.version} on ${cpus()[0]?.model.trim() ?? '?'} (${cpus().length} cores, ${platform()} ${arch()}), Debian's Chromium headless, PCMU, SIPp 3.6 \`-rtp_echo\` as the far end.`,
    '',
    `**Round trip (mouth to ear and back), ${trip.delaysMs.length} clicks** — goal ≤ ${GOAL_MS} ms:`,
    '',
    '| median | 10th percentile | 90th percentile | lowest | highest | clicks not heard back | goal |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    `| ${fixed(median)} ms | ${fixed(quantile(sorted, 0.1))} ms | ${fixed(quantile(sorted, 0.9))} ms | ${fixed(sorted[0] ?? NaN)} ms | ${fixed(sorted.at(-1) ?? NaN)} ms | ${trip.unanswered} | ${median <= GOAL_MS ? 'met' : 'not met'} |`,
    '',
    '**Where it goes** (the median round trip, split by what each stage reports):',
    '',
    '| stage | ms | how it is known |',
    '| --- | ---: | --- |',
    `| capture: the worklet gathers a 20 ms frame | ${fixed(capture)} | half a frame on average (by construction) |`,
    `| window ↔ engine: the socket, both ways | ${fixed(socket)} | a command's round trip on an open socket of the page (median of 50; ${fixed(trip.socketOneWayMs, 2)} ms one way) |`,
    `| engine: jitter buffer | ${fixed(trip.jitterBufferMs)} | the call's quality report |`,
    `| playout: the playback ring | ${fixed(fillMs)} | what the ring held when asked |`,
    `| playout: the audio context | ${fixed(trip.baseLatencyMs)} | \`AudioContext.baseLatency\` at ${trip.sampleRate} Hz |`,
    `| the rest: engine ticks, codec, RTP both ways, SIPp | ${fixed(rest)} | the median less the rows above |`,
    '',
    `**A long call** (${fixed(long.seconds, 0)} s, counted after ${WARM_UP_S} s of warm-up and the round-trip clicks):`,
    '',
    '| frames the window sent | received | a 20 ms stream carries | lost window → engine | lost engine → window | playback ring |',
    '| ---: | ---: | ---: | ---: | ---: | --- |',
    `| ${long.framesSent} | ${long.framesReceived} | ${fixed(long.expected, 0)} | ${fixed(Math.max(0, long.expected - long.framesSent), 0)} | ${fixed(Math.max(0, long.expected - long.framesReceived), 0)} | ${counterDelta(long.playbackBefore, long.playbackAfter)} |`,
    '',
    '**CPU of Chromium during the call** (share of one core over the long call):',
    '',
    '| process | pid | CPU |',
    '| --- | ---: | ---: |',
    ...byShare.map(
      (entry) =>
        `| ${processName(entry.process, busiestRenderer)} | ${entry.process.pid} | ${fixed(entry.share, 2)} % |`,
    ),
    '',
    `Method: the fake microphone loops a 10 s click track (a 10 ms, 1 kHz Hann-windowed burst each second). The page's audio tap (test/e2e/support/audio-tap.ts) records what the microphone source delivers and what the playback worklet plays, on the window's own AudioContext, so both are on one clock; a click's onset is where its envelope first reaches half its peak, and its round trip is the speaker onset less the microphone onset. Sent and received frames are the binary frames the page's web-host socket carried; the stream carries 50 a second each way, so a shortfall against that is a frame lost (or never made) between the window and the engine. CPU is user + system time of each process from /proc over the long call.`,
  ];
  return lines.join('\n');
}

async function run(): Promise<string> {
  if (chromiumPath() === undefined) throw new Error('window-audio needs Debian’s Chromium');
  const stage = await startStage();
  try {
    await dial(stage);
    log('call up; warming up');
    await pause(WARM_UP_S * 1_000);
    log(`timing ${CLICKS} clicks`);
    const trip = await measureRoundTrip(stage);
    log(
      `round trip median ${fixed(
        quantile(
          [...trip.delaysMs].sort((a, b) => a - b),
          0.5,
        ),
      )} ms; long call of ${LONG_CALL_S} s`,
    );
    const long = await measureLongCall(stage);
    await stage.page.getByRole('button', { name: 'Hang up' }).click();
    return report(trip, long);
  } finally {
    await stopStage(stage);
  }
}

export const benchmark: Benchmark = {
  section: 'Window audio: round trip, frames between window and engine, Chromium CPU',
  run,
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(await run());
}
