// Voice codec cost: microseconds of one thread per 20 ms frame (48 kHz mono in and out, as the media worker
// calls the adapters), for Opus through our libopus wasm loader and for G.711 with its 48 ⇄ 8 kHz resampling.
// The budget is 20,000 µs per frame per direction; the share of one core is the cost over that budget.
// `npx tsx bench/codecs.ts` prints the table; it also exports `benchmark` for bench/run.ts.
import { arch, cpus, platform } from 'node:os';
import { pathToFileURL } from 'node:url';
import { PcmaDecoder, PcmaEncoder, PcmuDecoder, PcmuEncoder } from '../main/media/codecs/g711-codec';
import { OpusDecoder, OpusEncoder } from '../main/media/codecs/opus-codec';
import { Resampler, TELEPHONE_BAND } from '../main/media/codecs/resampler';
import { telephoneDownsampler, telephoneUpsampler } from '../main/media/codecs/telephone-resampler';
import type { VoiceDecoder, VoiceEncoder } from '../main/media/media-seams';
import { loadOpus } from '../native/opus/opus-wasm';
import type { Benchmark } from './benchmark';

const FRAME = 960;
const FRAMES = 500; // 10 s of audio per round
const ROUNDS = 7;

/** 10 s of a speech-like signal: a gliding voiced tone with harmonics, pauses every 2 s (so DTX has silence). */
function speechLike(): Int16Array[] {
  return Array.from({ length: FRAMES }, (_, frame) =>
    Int16Array.from({ length: FRAME }, (_, i) => {
      const t = (frame * FRAME + i) / 48_000;
      if (t % 2 > 1.6) return 0;
      const pitch = 140 + 40 * Math.sin(2 * Math.PI * 0.5 * t);
      let value = 0;
      for (let h = 1; h <= 12; h++) value += Math.sin(2 * Math.PI * pitch * h * t) / h;
      return Math.round(5000 * value);
    }),
  );
}

interface Row {
  readonly name: string;
  readonly make: () => { encoder: VoiceEncoder; decoder: VoiceDecoder };
}

const rows: readonly Row[] = [
  {
    name: 'Opus 32 kb/s, complexity 5 (our default)',
    make: () => ({ encoder: new OpusEncoder(), decoder: new OpusDecoder() }),
  },
  {
    name: 'Opus 32 kb/s, complexity 10',
    make: () => ({ encoder: new OpusEncoder({ complexity: 10 }), decoder: new OpusDecoder() }),
  },
  {
    name: 'Opus 32 kb/s, complexity 5, in-band FEC at 10 % loss',
    make: () => ({ encoder: new OpusEncoder({ fmtp: 'useinbandfec=1' }), decoder: new OpusDecoder() }),
  },
  {
    name: 'PCMU (with 48 ⇄ 8 kHz resampling)',
    make: () => ({ encoder: new PcmuEncoder(), decoder: new PcmuDecoder() }),
  },
  {
    name: 'PCMA (with 48 ⇄ 8 kHz resampling)',
    make: () => ({ encoder: new PcmaEncoder(), decoder: new PcmaDecoder() }),
  },
];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Measured {
  readonly encodeUs: number;
  readonly decodeUs: number;
  readonly concealUs: number;
}

function measure(row: Row, frames: readonly Int16Array[]): Measured {
  const { encoder, decoder } = row.make();
  const packets = frames.map((frame) => encoder.encode(frame).slice());
  const encode: number[] = [];
  const decode: number[] = [];
  const conceal: number[] = [];
  let sink = 0;
  for (let round = 0; round < ROUNDS + 1; round++) {
    let started = performance.now();
    for (const frame of frames) sink += encoder.encode(frame).length;
    const encodeMs = performance.now() - started;
    started = performance.now();
    for (const packet of packets) sink += decoder.decode(packet).length;
    const decodeMs = performance.now() - started;
    started = performance.now();
    for (let i = 0; i < 100; i++) sink += decoder.conceal(FRAME).length;
    const concealMs = performance.now() - started;
    // Round 0 warms the JIT up and is not counted.
    if (round === 0) continue;
    encode.push((encodeMs * 1000) / frames.length);
    decode.push((decodeMs * 1000) / packets.length);
    conceal.push((concealMs * 1000) / 100);
  }
  encoder.dispose();
  decoder.dispose();
  if (sink === 0) throw new Error('nothing was produced');
  return { encodeUs: median(encode), decodeUs: median(decode), concealUs: median(conceal) };
}

interface FrameConverter {
  process(input: Int16Array): Int16Array;
}

/** µs per 20 ms frame of one 48 → 8 kHz and one 8 → 48 kHz converter. */
function resamplerCost(down: FrameConverter, up: FrameConverter): { downUs: number; upUs: number } {
  const wide = speechLike()[10]!;
  const narrow = down.process(wide);
  const time = (step: () => void): number => {
    for (let i = 0; i < 200; i++) step();
    const started = performance.now();
    for (let i = 0; i < 2000; i++) step();
    return ((performance.now() - started) * 1000) / 2000;
  };
  return { downUs: time(() => down.process(wide)), upUs: time(() => up.process(narrow)) };
}

export async function measureCodecs(): Promise<string> {
  const frames = speechLike();
  const runtime = loadOpus();
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} with Node ${process.version} on ${cpus()[0]?.model.trim() ?? 'unknown CPU'} (${platform()} ${arch()}); libopus wasm build: ${runtime.variant}.`,
    '',
    `Method: 10 s of a speech-like signal (gliding 140–180 Hz voice with 12 harmonics, 0.4 s pauses every 2 s) in 20 ms frames through each adapter on its seam (48 kHz mono in and out); median of ${ROUNDS} rounds after one warm-up round. Concealment is 100 consecutive \`conceal(960)\` calls. Budget: 20,000 µs per frame.`,
    '',
    '| Codec | encode µs/frame | decode µs/frame | conceal µs/frame | encode + decode, % of one core |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    process.stderr.write(`  ${row.name}\n`);
    const result = measure(row, frames);
    const share = ((result.encodeUs + result.decodeUs) / 20_000) * 100;
    lines.push(
      `| ${row.name} | ${result.encodeUs.toFixed(1)} | ${result.decodeUs.toFixed(1)} | ${result.concealUs.toFixed(1)} | ${share.toFixed(2)} % |`,
    );
  }
  const twoStages = resamplerCost(telephoneDownsampler(), telephoneUpsampler());
  const oneStage = resamplerCost(
    new Resampler(48_000, 8000, TELEPHONE_BAND),
    new Resampler(8000, 48_000, TELEPHONE_BAND),
  );
  lines.push(
    '',
    `Resampling alone (telephone-band Kaiser FIR, polyphase), per 20 ms frame: in two stages through 16 kHz as the G.711 adapters do (27 + 117 taps), 48 → 8 kHz ${twoStages.downUs.toFixed(1)} µs and 8 → 48 kHz ${twoStages.upUs.toFixed(1)} µs; in one 347-tap stage, ${oneStage.downUs.toFixed(1)} and ${oneStage.upUs.toFixed(1)} µs.`,
  );
  return lines.join('\n');
}

export const benchmark: Benchmark = { section: 'Voice codecs', run: measureCodecs };

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await measureCodecs());
}
