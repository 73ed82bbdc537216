// The window's audio path in Debian's Chromium, end to end on one page: Chromium's fake microphone plays a 1 kHz
// WAV → getUserMedia → the capture worklet (20 ms Int16 frames) → a channel that loops every frame back → the
// playback worklet's ring → the destination. The page is built by Vite as the renderer is (the worklets are their
// own bundles, loaded under a `script-src 'self'` CSP). Judged by frequency and level, not bytes: Chromium loops
// and resamples the WAV. Run once with the context at 48 kHz (no resampling) and once at 44.1 kHz, where both
// worklets convert.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peersAvailable } from '../interop/support/peers';
import { writeToneFixture } from '../support/audio/tone-fixture';
import { toneShare } from '../support/audio/tone-share';
import { CHROMIUM_ARGS, chromiumPath } from '../support/chromium';
import { writeWavFile } from '../support/audio/wav-files';
import type { LagResult, LoopResult } from './support/audio-loop-result';

const PAGE_ROOT = resolve(import.meta.dirname, 'support', 'audio-loop-page');
const TONE_HZ = 1000;
const TONE_PEAK = 0.5;
const executable = chromiumPath();
const peers = peersAvailable();

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

function serve(dir: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = normalize(join(dir, new URL(request.url ?? '/', 'http://x').pathname));
    if (!path.startsWith(dir)) return void response.writeHead(403).end();
    try {
      const body = readFileSync(path.endsWith('/') ? join(path, 'index.html') : path);
      response.writeHead(200, {
        'Content-Type': TYPES[extname(path) || '.html'] ?? 'application/octet-stream',
      });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      done({
        server,
        origin: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
      });
    }),
  );
}

/**
 * The tone's share in 100 ms windows, the median of them: one glitch (an underrun on a loaded machine is counted in
 * the ring's stats, not judged here) spoils one window, not the verdict.
 */
function medianToneShare(signal: Int16Array, hz: number, rate: number): number {
  const size = rate / 10;
  const shares: number[] = [];
  for (let start = 0; start + size <= signal.length; start += size)
    shares.push(toneShare(signal.subarray(start, start + size), hz, rate));
  shares.sort((a, b) => a - b);
  return shares[Math.floor(shares.length / 2)] ?? 0;
}

/** A 2 ms, 2 kHz burst every half second, at 0.8 of full scale: onsets easy to find in both signals. */
function clickTrack(seconds: number) {
  const rate = 48_000;
  const samples = new Int16Array(seconds * rate);
  for (let start = 0; start < samples.length; start += rate / 2)
    for (let i = 0; i < rate / 500 && start + i < samples.length; i++)
      samples[start + i] = Math.round(0.8 * 32767 * Math.sin((2 * Math.PI * 2000 * i) / rate));
  return { sampleRate: rate, channels: 1, samples };
}

/** Where clicks start: the first sample over the threshold after at least 100 ms under it. */
function onsets(signal: readonly number[], rate: number): number[] {
  const quiet = rate / 10;
  const found: number[] = [];
  let last = -quiet;
  for (let i = 0; i < signal.length; i++) {
    if (Math.abs(signal[i]!) < 0.3) continue;
    if (i - last >= quiet) found.push(i);
    last = i;
  }
  return found;
}

function rms(samples: ArrayLike<number>, scale = 1): number {
  let energy = 0;
  for (let i = 0; i < samples.length; i++) energy += (samples[i]! * scale) ** 2;
  return Math.sqrt(energy / Math.max(1, samples.length));
}

describe.skipIf(!peers.chromium || !executable)(
  'window audio in Chromium: fake microphone → capture → loop → playback',
  () => {
    let dir: string;
    let browser: Browser;
    let server: Server;
    let origin: string;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'window-audio-'));
      const out = join(dir, 'page');
      await build({
        root: PAGE_ROOT,
        configFile: false,
        logLevel: 'warn',
        base: './',
        build: { outDir: out, emptyOutDir: true, minify: false },
      });
      ({ server, origin } = await serve(out));
      const tone = await writeToneFixture(dir, { frequencyHz: TONE_HZ, durationS: 10, amplitude: TONE_PEAK });
      browser = await chromium.launch({
        executablePath: executable!,
        args: [
          ...CHROMIUM_ARGS,
          '--use-fake-ui-for-media-stream',
          '--use-fake-device-for-media-stream',
          `--use-file-for-fake-audio-capture=${tone.path}`,
          '--autoplay-policy=no-user-gesture-required',
        ],
      });
    });

    afterAll(async () => {
      await browser?.close();
      await new Promise((done) => server?.close(done));
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    async function loop(contextRate: number): Promise<LoopResult> {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${origin}/index.html`);
      await page.waitForFunction(() => 'runAudioLoop' in globalThis);
      const result = await page.evaluate(
        ([seconds, rate]) =>
          (globalThis as unknown as { runAudioLoop(s: number, r: number): Promise<LoopResult> }).runAudioLoop(
            seconds!,
            rate!,
          ),
        [2, contextRate],
      );
      await page.close();
      expect(errors).toEqual([]);
      return result;
    }

    it.each([48_000, 44_100])(
      'with the context at %i Hz: the tone is captured and reaches the speaker',
      async (rate) => {
        const result = await loop(rate);
        expect(result.microphone).toBe('open');
        expect(result.contextRate).toBe(rate);
        // 2 s of 20 ms frames: about 100, every one 960 samples.
        expect(result.frames).toBeGreaterThan(60);
        expect(result.wrongLength).toBe(0);

        const captured = Int16Array.from(result.captured.slice(-24_000));
        const capturedShare = medianToneShare(captured, TONE_HZ, 48_000);
        const capturedRms = rms(captured, 1 / 32768);
        const played = Float32Array.from(result.played.slice(-16_384));
        const playedInt = Int16Array.from(played, (sample) => Math.round(sample * 32767));
        const playedShare = medianToneShare(playedInt, TONE_HZ, result.contextRate);
        const playedRms = rms(played);
        const stats = result.stats as { underruns: number; overruns: number; receivedSamples: number };
        console.info(
          `[window audio @${rate} Hz] frames ${result.frames}; captured 1 kHz share ${capturedShare.toFixed(3)}, ` +
            `${(20 * Math.log10(capturedRms)).toFixed(1)} dBFS; played share ${playedShare.toFixed(3)}, ` +
            `${(20 * Math.log10(playedRms)).toFixed(1)} dBFS; ring ${JSON.stringify(stats)}`,
        );

        // A 0.5-peak sine is −9 dBFS RMS; allow Chromium's resampling of the file a little slack.
        const expected = TONE_PEAK / Math.SQRT2;
        expect(capturedShare).toBeGreaterThan(0.9);
        expect(capturedRms).toBeGreaterThan(expected * 0.8);
        expect(capturedRms).toBeLessThan(expected * 1.2);
        expect(playedShare).toBeGreaterThan(0.9);
        expect(playedRms).toBeGreaterThan(expected * 0.8);
        expect(playedRms).toBeLessThan(expected * 1.2);
        expect(stats.receivedSamples).toBeGreaterThan(0);
      },
    );

    it('reports the window’s share of the delay: capture framing, the hops and the playback cushion', async () => {
      const clicks = await writeWavFile(join(dir, 'clicks.wav'), clickTrack(10));
      const clickBrowser = await chromium.launch({
        executablePath: executable!,
        args: [
          ...CHROMIUM_ARGS,
          '--use-fake-ui-for-media-stream',
          '--use-fake-device-for-media-stream',
          `--use-file-for-fake-audio-capture=${clicks}`,
          '--autoplay-policy=no-user-gesture-required',
        ],
      });
      try {
        const page = await clickBrowser.newPage();
        await page.goto(`${origin}/index.html`);
        await page.waitForFunction(() => 'measureLoopLag' in globalThis);
        const result = await page.evaluate(
          (seconds) =>
            (globalThis as unknown as { measureLoopLag(s: number): Promise<LagResult> }).measureLoopLag(
              seconds,
            ),
          2,
        );
        const heard = onsets(result.input, result.contextRate);
        const played = onsets(result.played, result.contextRate);
        // Pair each played click with the latest microphone click before it (clicks are 500 ms apart).
        const lags = played
          .map((at) => {
            const from = heard.filter((onset) => onset <= at).at(-1);
            return from === undefined ? null : at - from;
          })
          .filter((lag): lag is number => lag !== null && lag < result.contextRate / 2)
          .map((lag) => (lag * 1000) / result.contextRate);
        // Measured, not judged: timings belong in bench/RESULTS.md.
        console.info(
          `[window audio lag] microphone → capture worklet → loop → playback worklet output: ` +
            `${lags.map((lag) => lag.toFixed(1)).join(', ')} ms (the context's base latency, ` +
            `${(result.baseLatency * 1000).toFixed(1)} ms, and the device's output latency come on top)`,
        );
        expect(heard.length).toBeGreaterThan(0);
        expect(played.length).toBeGreaterThan(0);
        expect(lags.length).toBeGreaterThan(0);
      } finally {
        await clickBrowser.close();
      }
    });
  },
);
