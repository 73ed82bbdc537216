// One call's media through the impairment relay, at the engine level: two media workers on real threads (each the
// engine of one phone), a call in each, RTP from A to B and back crossing the seeded relay on 127.0.0.1. A plays a
// tone into its call's audio port; what B's call plays out is kept, with every quality report B's worker sends.
//
//   worker A: call 'a' ──RTP──► relay a-side ──(aToB impairment)──► relay b-side ──RTP──► worker B: call 'b'
//             call 'a' ◄──RTP── relay a-side ◄──(bToA impairment)── relay b-side ◄──RTP── call 'b'
//             call 'a' ◄────────────────── RTCP, direct (not impaired) ─────────────────► call 'b'
//
// RTCP goes straight between the calls instead of through the relay: the relay draws one fate per datagram from a
// direction's seeded sequence, and RTCP would interleave with RTP at instants set by real timers, shifting the RTP
// packets' fates from run to run. Kept off the relay, the n-th RTP packet A sends always meets the n-th fate, so
// which packets are lost is the same on every run, and `fatesOf` tells which ones they were.
//
// What A plays is a "talking tone": the tone gated on and off at a syllable rate (a raised-cosine envelope at 3 Hz).
// A steady tone would not do for Opus: after about 0.7 s libopus's SILK voice-activity detector takes a stationary
// signal for background noise and stops putting in-band FEC (LBRR) into the packets, so a steady tone would show
// concealment only and never the FEC recovery a talker gets. The envelope's sidebands (±3 Hz) stay well inside the
// judge's ±10 % band.
import { AudioStreamEndpoint } from '../../../../main/media/session/audio-stream-endpoint';
import { MediaWorkerHost } from '../../../../main/media/session/media-worker-host';
import type { MediaEvent, StreamParams } from '../../../../main/media/session/media-worker-protocol';
import type { JitterBufferReport } from '../../../../main/media/jitter/jitter-buffer';
import {
  ENGINE_SAMPLE_RATE,
  FRAME_MS,
  FRAME_SAMPLES,
  type StreamQuality,
} from '../../../../main/media/media-seams';
import {
  ImpairmentModel,
  startImpairmentRelay,
  type DirectionCounters,
  type Impairment,
  type PacketFate,
} from '../../../support/impairment-relay';
import { SeededRandom } from '../../../support/seeded-random';
import type { PcmAudio } from '../../../support/audio/wav';
import { concat, sleep, waitFor } from '../../media/support/media-test-kit';

/** Longer than anything the relay holds a datagram in these tests. */
const RELAY_DRAIN_MS = 300;
/** Microphone frames queued ahead, as the WAV player does (200 ms): speaker frames reach the main thread on its
 *  20 ms poll of the shared ring, so the pacing loop below runs up to a frame behind A's worker, more on a loaded
 *  machine, and a shorter lead left A's worker ticks without a tone frame (silence sent in its place). */
const LEAD_FRAMES = 10;

/** Peak of the tone A plays, full scale 32768. */
export const TONE_PEAK = 8000;
/** Syllables per second of the talking tone's envelope. */
export const SYLLABLE_HZ = 3;
/**
 * RMS of the talking tone (full scale = 1): a sine's peak/√2 times the envelope's RMS, √(3/8) for a raised cosine
 * (the mean of ((1 − cos)/2)² is 3/8).
 */
export const TONE_RMS = (TONE_PEAK / Math.SQRT2 / 32_768) * Math.sqrt(3 / 8);

/** Frame `index` of the talking tone at `hz`: the tone under a raised-cosine envelope at SYLLABLE_HZ. */
export function talkingToneFrame(index: number, hz: number): Int16Array {
  const frame = new Int16Array(FRAME_SAMPLES);
  for (let offset = 0; offset < FRAME_SAMPLES; offset++) {
    const t = (index * FRAME_SAMPLES + offset) / ENGINE_SAMPLE_RATE;
    const envelope = 0.5 - 0.5 * Math.cos(2 * Math.PI * SYLLABLE_HZ * t);
    frame[offset] = Math.round(TONE_PEAK * envelope * Math.sin(2 * Math.PI * hz * t));
  }
  return frame;
}

export interface ImpairedCallOptions {
  readonly codec: StreamParams['codec'];
  /** Seeds the A→B draws; B→A takes seed + 1. */
  readonly seed: number;
  readonly aToB?: Impairment;
  readonly bToA?: Impairment;
  /** A→B changes to this impairment when A's microphone reaches `frame` (20 ms each): a network that turns bad. */
  readonly aToBLater?: { readonly frame: number; readonly impairment: Impairment };
  /** How long A plays its tone before its call stops, ms. */
  readonly toneMs: number;
  readonly toneHz: number;
}

/** B's view of the stream at one quality report (every 2 s of B's ticks). */
export interface ReceiverReport {
  /** B's ticks since its call started, in ms (reports come every 2000). */
  readonly atMs: number;
  readonly quality: StreamQuality;
  /** The worker's jitter buffer reports more than the seam's counters (structured clone keeps them). */
  readonly jitterBuffer: JitterBufferReport;
}

export interface ImpairedCallResult {
  /** What B's call played out, from its first frame (silence until the first packet plays). */
  readonly heard: PcmAudio;
  /** Every report B sent, in order; the last one came after A stopped and the buffer had played out. */
  readonly reports: readonly ReceiverReport[];
  readonly final: ReceiverReport;
  /** The relay's RTP counters, read after the stream stopped. */
  readonly aToB: DirectionCounters;
  readonly bToA: DirectionCounters;
  /** `error` and `inactive` events of either worker: a stream that stopped or went quiet. None in a healthy run. */
  readonly failures: readonly MediaEvent[];
}

/** The first `count` fates the relay drew for a direction seeded with `seed`: the same on every run. */
export function fatesOf(seed: number, impairment: Impairment, count: number): PacketFate[] {
  const model = new ImpairmentModel(impairment, new SeededRandom(seed));
  return Array.from({ length: count }, () => model.next());
}

/**
 * Packets the receiver's jitter buffer can know were lost: those between the first and the last that arrived
 * (one lost before the first or after the last leaves no gap in the sequence numbers it saw).
 */
export function lossesBetweenDelivered(fates: readonly PacketFate[]): number {
  const first = fates.findIndex((fate) => !fate.lost);
  const last = fates.findLastIndex((fate) => !fate.lost);
  if (first < 0) return 0;
  return fates.slice(first, last + 1).filter((fate) => fate.lost).length;
}

function streamParams(codec: StreamParams['codec'], remoteRtp: number, remoteRtcp: number): StreamParams {
  return {
    codec,
    telephoneEvent: { payloadType: 101, clockRate: codec.clockRate },
    remoteRtp: { address: '127.0.0.1', port: remoteRtp },
    remoteRtcp: { address: '127.0.0.1', port: remoteRtcp },
    rtcpMux: false,
    ptime: 20,
    send: true,
    receive: true,
  };
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** Runs the call and returns what B heard and counted. Every worker, socket and port is released before it returns. */
export async function runImpairedCall(options: ImpairedCallOptions): Promise<ImpairedCallResult> {
  const relay = await startImpairmentRelay({
    legs: 1,
    randomFor: (direction) => new SeededRandom(direction === 'aToB' ? options.seed : options.seed + 1),
    ...(options.aToB !== undefined ? { aToB: options.aToB } : {}),
    ...(options.bToA !== undefined ? { bToA: options.bToA } : {}),
  });
  const hostA = new MediaWorkerHost();
  const hostB = new MediaWorkerHost();
  try {
    const reports: ReceiverReport[] = [];
    const failures: MediaEvent[] = [];
    const watch = (event: MediaEvent): void => {
      if (event.type === 'error' || event.type === 'inactive') failures.push(event);
    };
    hostA.onEvent(watch);
    hostB.onEvent(watch);
    hostB.onEvent((event) => {
      if (event.type !== 'quality' || event.callId !== 'b') return;
      reports.push({
        atMs: (reports.length + 1) * 2_000,
        quality: event.quality,
        jitterBuffer: event.quality.jitterBuffer as JitterBufferReport,
      });
    });
    const a = unwrap(await hostA.allocate('a', '127.0.0.1'));
    const b = unwrap(await hostB.allocate('b', '127.0.0.1'));
    relay.setTarget('a', { address: '127.0.0.1', port: a.rtpPort });
    relay.setTarget('b', { address: '127.0.0.1', port: b.rtpPort });

    const heard: Int16Array[] = [];
    new AudioStreamEndpoint(hostB.audioPort('b')!).onFrame((frame) => heard.push(frame));
    // A's microphone: the talking tone, one frame for each frame A's worker plays, so A's tick paces it (LEAD_FRAMES
    // ahead).
    const microphone = new AudioStreamEndpoint(hostA.audioPort('a')!);
    const toneFrames = Math.round(options.toneMs / FRAME_MS);
    let sent = 0;
    const feed = (): void => {
      if (options.aToBLater !== undefined && sent === options.aToBLater.frame) {
        relay.setImpairment('aToB', options.aToBLater.impairment);
      }
      if (sent < toneFrames) microphone.sendFrame(talkingToneFrame(sent++, options.toneHz));
    };
    for (let index = 0; index < LEAD_FRAMES; index++) feed();
    microphone.onFrame(feed);

    unwrap(await hostB.start('b', streamParams(options.codec, relay.portB, a.rtcpPort)));
    unwrap(await hostA.start('a', streamParams(options.codec, relay.portA, b.rtcpPort)));
    await waitFor(() => sent >= toneFrames, options.toneMs + 5_000);
    unwrap(await hostA.stop('a'));
    // Packets still inside the relay leave within its longest hold (delay + jitter + a reorder hold, well under
    // this in every test here); the report that closes the run comes after that, with nothing left in B's buffer.
    await sleep(RELAY_DRAIN_MS);
    const stoppedAt = reports.length;
    await waitFor(() => {
      const latest = reports.at(-1);
      if (latest !== undefined && typeof latest.jitterBuffer.bufferedPackets !== 'number') {
        throw new Error(
          'the media worker no longer reports the jitter buffer’s own counters (JitterBufferReport)',
        );
      }
      return reports.slice(stoppedAt).some((report) => report.jitterBuffer.bufferedPackets === 0);
    }, 6_000);
    const final = reports.slice(stoppedAt).find((report) => report.jitterBuffer.bufferedPackets === 0)!;
    return {
      heard: { sampleRate: ENGINE_SAMPLE_RATE, channels: 1, samples: concat(heard) },
      reports: reports.slice(0, reports.indexOf(final) + 1),
      final,
      aToB: relay.counters('aToB', 0),
      bToA: relay.counters('bToA', 0),
      // A copy: closing the hosts below reports every call as ended, which is not a failure of the run.
      failures: [...failures],
    };
  } finally {
    await Promise.all([hostA.close(), hostB.close()]);
    await relay.close();
  }
}
