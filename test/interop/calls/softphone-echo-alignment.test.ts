// `softphone call --play --record` share a time origin (issue 7 §7), shown through the command itself: it calls
// SIPp's answerer with -rtp_echo (a zero-delay RTP reflector), plays a click and records what comes back; the echo's
// delay read off the two files is the engine's own round trip (packetization, jitter buffer), nowhere near what a
// misaligned origin (the ringing, the process start) would add.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWavFile, writeWavFile } from '../../support/audio/wav-files';
import { freeUdpPortPair } from '../support/ports';
import { peersAvailable, startSipp } from '../support/sipp';
import { runSoftphone } from '../support/softphone-cli';

const peers = peersAvailable();
const RATE = 48_000;
const CLICK_AT_MS = 300;

/** 1 s of silence with a 100 ms 1 kHz burst at 300 ms. */
function clickSamples(): Int16Array {
  const samples = new Int16Array(RATE);
  const start = (CLICK_AT_MS * RATE) / 1000;
  for (let index = start; index < start + RATE / 10; index++)
    samples[index] = Math.round(12_000 * Math.sin((2 * Math.PI * 1000 * (index - start)) / RATE));
  return samples;
}

function onsetMs(samples: Int16Array, threshold = 2_000): number {
  const index = samples.findIndex((sample) => Math.abs(sample) > threshold);
  return index < 0 ? Number.NaN : (index / RATE) * 1000;
}

describe.skipIf(!peers.sipp)('softphone call through a zero-delay RTP echo', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'softphone-echo-'));
  });

  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('--play and --record start at the same tick: the click comes back one engine round trip later', async () => {
    const played = await writeWavFile(join(dir, 'click.wav'), {
      sampleRate: RATE,
      channels: 1,
      samples: clickSamples(),
    });
    const heardPath = join(dir, 'heard.wav');
    const mediaPort = await freeUdpPortPair(2);
    const sipp = await startSipp({
      scenario: join(import.meta.dirname, 'scenarios', 'uas-echo-pcmu.xml'),
      mediaPort,
      keys: { sdp_port: String(mediaPort) },
      extraArgs: ['-rtp_echo'],
      timeoutSec: 30,
    });
    try {
      const caller = runSoftphone([
        'call',
        `sip:echo@127.0.0.1:${sipp.localPort}`,
        '--codecs',
        'pcmu',
        '--play',
        played,
        '--record',
        heardPath,
        '--duration',
        '2',
      ]);
      const code = await caller.exited();
      expect(code, `${JSON.stringify(caller.events)}\n${caller.stderr}`).toBe(0);
      const result = await sipp.done();
      expect(result.code, result.errorLog).toBe(0);
    } finally {
      await sipp.stop();
    }
    const heard = await readWavFile(heardPath);
    expect(heard).toMatchObject({ sampleRate: RATE, channels: 1 });
    const delayMs = onsetMs(heard.samples) - CLICK_AT_MS;
    console.info(`click echoed through SIPp -rtp_echo, read off --play/--record: ${delayMs.toFixed(1)} ms`);
    // At least one 20 ms packet; far below the ringing or start-up time a misaligned origin would add.
    expect(delayMs).toBeGreaterThanOrEqual(20);
    expect(delayMs).toBeLessThan(150);
    // The recording runs from the answer to the hang-up: --duration 2 s.
    expect(heard.samples.length / RATE).toBeGreaterThan(1.9);
  });
});
