// The adaptive jitter buffer of a call's receive path: packets go in as they arrive (`push`), one 20 ms frame at
// 48 kHz comes out per tick of the playout clock (`pull`). Pure and clock-driven: time comes in as `arrivalMs` and
// `nowMs`, there are no timers, and the codec is whatever VoiceDecoder it is given.
//
// Playout is by RTP timestamp (RFC 3550 §5.1), unwrapped and scaled from the codec's clock to 48 kHz samples, so
// packets of any duration (10–60 ms) and timestamp gaps (silence suppression, RFC 3551 §4.1) land where the sender
// put them. Sequence numbers only say whether packets are missing between two that arrived.
//
//          push(packet)                                                    pull(nowMs), every 20 ms
//               │                                                                 ▲
//               ▼                                                                 │ 960 samples from P
//   ┌──────── admit ─────────┐    ┌──── packets, by timestamp ────┐    ┌──── decoded samples ────┐
//   │ duplicate? late (< X)? │───►│  ... ■ ■ □ ■ ■  (□ = missing) │───►│ P ──────────────────► X │
//   │ outside [P−1 s, P+1 s]?│    └───────────────────────────────┘    └─────────────────────────┘
//   └────────────────────────┘     refill at X: the next packet starts at X → decode it
//                                               it starts later, sequence unbroken or marker bit set → silence
//                                                 (the sender paused)
//                                               it starts later, sequence broken → that packet was lost: FEC
//                                                 from the next packet if it is the last one missing, else
//                                                 conceal (the decoder fades over consecutive calls)
//                                               nothing buffered → underrun: conceal, or silence after quiet audio
//                                               (its concealment; either runs for at most 200 ms, then silence)
//
// Playing starts when the earliest packet has waited T, at the newest packet that has (to the frame), so packets held
// before the first pull do not become standing delay. Counters: `lost` counts the sequence numbers skipped when
// a later packet plays (late ones included, none before a marker), `concealed` the frames that carried concealment
// for a known loss (an underrun's concealment counts only once a later packet shows a loss; if it shows a pause,
// it was the fade-out of a talk spurt), `recovered` the packets rebuilt from FEC.
//
// P is the next sample to play, X the end of what has been decoded or made up; a packet that starts before X is
// late. The delay the buffer adds is D = nowMs − P(ms) − baseline, where the baseline is the smallest arrival −
// media time recently seen (delay-estimator.ts): the wait of the fastest packet. The target T comes from the
// measured jitter (delay-estimator.ts). The buffer moves D toward T by time-scaling whole frames, never by leaving
// a gap in speech when it can avoid it:
//   - D < T: the pull plays a quiet frame again (or silence inside a pause) without advancing P; only when D is a
//     frame or more short does it stretch speech, with a frame of the decoder's concealment. Growth is not rate
//     limited, so a burst of jitter is absorbed within a few frames.
//   - D ≥ T + a frame + 5 ms, at most once a second: a quiet frame (a pause, the gap before a talk spurt that starts
//     with the marker bit, or audio below −40 dBFS) is skipped; speech is cut only when D is 60 ms or more too long
//     and nothing has been dropped for 3 s (so a pause usually comes first).
// That same loop absorbs sender clock drift: a sender 0.5 % fast makes D creep up 5 ms a second and a quiet frame is
// dropped every 4 s or so; a slow one makes D creep down and a frame is repeated.
//
// A stream restart (new SSRC or new timestamp base without the session telling us) shows as packets outside
// [P − 1 s, P + 1 s] or 3000 sequence numbers away; two such packets in sequence with each other restart the
// buffer on the new base (the session can also call `restart()` when it sees a new SSRC). Until then
// they are thrown away and counted, which is also what bounds a hostile stream: nothing more than a second of audio
// (and at most MAX_PACKETS packets) is ever held.
import {
  ENGINE_SAMPLE_RATE,
  FRAME_MS,
  FRAME_SAMPLES,
  type JitterBuffer,
  type JitterBufferStats,
  type ReceivedAudioPacket,
  type VoiceDecoder,
} from '../media-seams';
import { DEFAULT_DELAY_LIMITS, DelayEstimator, type DelayLimits } from './delay-estimator';
import {
  type TimelineReference,
  advanceReference,
  referenceOf,
  unwrapSequence,
  unwrapTimestamp,
} from './rtp-timeline';

const SAMPLES_PER_MS = ENGINE_SAMPLE_RATE / 1_000;
/** The most audio held ahead of the playout point, and how far behind it a packet may still be "late". */
export const CAPACITY_MS = 1_000;
/** The most packets held, whatever their duration (a hostile stream of tiny packets). */
export const MAX_PACKETS = 200;
/** Frames below this RMS (about −40 dBFS) may be dropped or repeated to change the delay. */
export const QUIET_RMS = 328;
/** Above target by this much more than a frame before a quiet frame is dropped (hysteresis against see-saw). */
const SHRINK_HYSTERESIS_MS = 5;
/** Drops are at most this often: the delay shrinks slowly. */
const SHRINK_INTERVAL_MS = 1_000;
/** Above target by this much, a frame is dropped even in speech... */
const FORCE_SHRINK_MS = 60;
/** ...but only when no pause has offered a quiet frame for this long. */
const FORCE_SHRINK_INTERVAL_MS = 3_000;
/** Below target by this much, speech is stretched by a concealed frame rather than waiting for a pause. */
const FORCE_GROW_MS = FRAME_MS;
/** Concealment longer than this is replaced by silence: the decoder has faded out by then. */
const MAX_CONCEAL_MS = 200;
/** Sequence numbers remembered after playing, to tell a duplicate from a late packet. */
const PLAYED_MEMORY = 256;
/** A jump of this many sequence numbers is a restart, not loss (RFC 3550 A.1's MAX_DROPOUT). */
const MAX_SEQUENCE_JUMP = 3_000;

/** JitterBufferStats and what else helps a quality report. */
export interface JitterBufferReport extends JitterBufferStats {
  /** D: how long the fastest recent packet waits before it plays, ms. */
  readonly playoutDelayMs: number;
  /** Largest relative delay in the peak window (the measured jitter the target covers), ms. */
  readonly peakJitterMs: number;
  /** Thrown away unplayed: outside the buffer's window, over MAX_PACKETS, or flushed by a restart. */
  readonly discarded: number;
  readonly restarts: number;
  /** Frames played twice or stretched to grow the delay. */
  readonly inserted: number;
  /** Frames skipped to shrink the delay. */
  readonly dropped: number;
  /** Of the inserted frames, those that stretched speech (a concealed frame, when a frame or more short). */
  readonly stretched: number;
  /** Of the dropped frames, those that were speech (when far too long and no pause came). */
  readonly cut: number;
  readonly bufferedPackets: number;
}

export interface AdaptiveJitterBufferOptions {
  readonly decoder: VoiceDecoder;
  readonly limits?: DelayLimits;
}

interface BufferedPacket {
  readonly sequence: number;
  /** Start, in 48 kHz samples on the unwrapped timeline. */
  readonly position: number;
  readonly marker: boolean;
  readonly payload: Uint8Array;
}

interface Suspect {
  readonly rawSequence: number;
  readonly rawTimestamp: number;
}

export class AdaptiveJitterBuffer implements JitterBuffer {
  readonly #decoder: VoiceDecoder;
  readonly #estimator: DelayEstimator;
  readonly #samplesPerTick: number;

  /** Sorted by position. */
  #packets: BufferedPacket[] = [];
  #reference: TimelineReference | null = null;
  #suspect: Suspect | null = null;
  #started = false;
  /** P: the next sample to play. */
  #position = 0;
  /** Decoded or made-up samples from P to X. */
  #pending: Int16Array[] = [];
  #pendingOffset = 0;
  #pendingSamples = 0;
  /** Sequence of the last packet decoded, null before the first (of this stream). */
  #lastSequence: number | null = null;
  #lastPacketSamples = FRAME_SAMPLES;
  #lastDecodedQuiet = true;
  #concealRunSamples = 0;
  #played = new Set<number>();
  #playedOrder: number[] = [];
  #lastFrame: Int16Array = new Int16Array(FRAME_SAMPLES);
  #lastShrinkMs = Number.NEGATIVE_INFINITY;
  /** Underrun frames concealed before we know whether a packet was lost or the sender paused. */
  #unresolvedConcealed = 0;
  #frameConcealedLoss = false;
  #frameConcealedUnderrun = false;
  /** D as the last pull measured it, before that pull moved P. */
  #lastPlayoutDelayMs = 0;

  #received = 0;
  #duplicates = 0;
  #late = 0;
  #lost = 0;
  #concealed = 0;
  #recovered = 0;
  #discarded = 0;
  #restarts = 0;
  #inserted = 0;
  #dropped = 0;
  #stretched = 0;
  #cut = 0;

  constructor(options: AdaptiveJitterBufferOptions) {
    this.#decoder = options.decoder;
    this.#estimator = new DelayEstimator(options.limits ?? DEFAULT_DELAY_LIMITS);
    this.#samplesPerTick = ENGINE_SAMPLE_RATE / options.decoder.clockRate;
  }

  push(packet: ReceivedAudioPacket): void {
    this.#received++;
    if (this.#reference === null) this.#reference = referenceOf(packet.sequence, packet.timestamp);
    const reference = this.#reference;
    const sequence = unwrapSequence(packet.sequence, reference);
    const timestamp = unwrapTimestamp(packet.timestamp, reference);
    const position = Math.round(timestamp * this.#samplesPerTick);

    if (!this.#inWindow(position, sequence, reference)) {
      this.#admitOutsider(packet);
      return;
    }
    this.#suspect = null;

    if (this.#played.has(sequence) || this.#packets.some((held) => held.sequence === sequence)) {
      this.#duplicates++;
      return;
    }
    // Late packets still measure the network: they are exactly the ones the target must learn from.
    this.#estimator.observe(packet.arrivalMs, position / SAMPLES_PER_MS);
    if (this.#started && position < this.#decodedUpTo) {
      this.#late++;
      return;
    }
    if (this.#packets.length >= MAX_PACKETS) {
      this.#discarded++;
      return;
    }
    this.#insert({ sequence, position, marker: packet.marker, payload: packet.payload });
    if (sequence > reference.sequence) {
      this.#reference = advanceReference(packet.sequence, sequence, packet.timestamp, timestamp);
    }
  }

  pull(nowMs: number): Int16Array {
    if (!this.#started && !this.#tryStart(nowMs)) return new Int16Array(FRAME_SAMPLES);

    this.#lastPlayoutDelayMs = this.#playoutDelayMs(nowMs);
    const excessMs = this.#lastPlayoutDelayMs - this.#estimator.targetMs;
    if (excessMs < 0) {
      const quiet = isQuiet(this.#lastFrame);
      if (quiet || excessMs <= -FORCE_GROW_MS) return this.#insertFrame(quiet);
    }

    let frame = this.#nextFrame();
    const sinceShrinkMs = nowMs - this.#lastShrinkMs;
    const wantsShrink = excessMs >= FRAME_MS + SHRINK_HYSTERESIS_MS && sinceShrinkMs >= SHRINK_INTERVAL_MS;
    const mustShrink = excessMs >= FORCE_SHRINK_MS && sinceShrinkMs >= FORCE_SHRINK_INTERVAL_MS;
    if (wantsShrink && (isQuiet(frame) || mustShrink)) {
      if (!isQuiet(frame)) this.#cut++;
      frame = this.#nextFrame();
      this.#dropped++;
      this.#lastShrinkMs = nowMs;
    }
    this.#lastFrame = frame;
    return frame;
  }

  stats(): JitterBufferReport {
    const newest = this.#packets.at(-1);
    const heldUpTo = Math.max(
      this.#decodedUpTo,
      newest === undefined ? 0 : newest.position + this.#lastPacketSamples,
    );
    return {
      delayMs: this.#started ? Math.max(0, heldUpTo - this.#position) / SAMPLES_PER_MS : 0,
      targetDelayMs: this.#estimator.targetMs,
      received: this.#received,
      duplicates: this.#duplicates,
      late: this.#late,
      lost: this.#lost,
      concealed: this.#concealed,
      recovered: this.#recovered,
      playoutDelayMs: this.#started ? this.#lastPlayoutDelayMs : 0,
      peakJitterMs: this.#estimator.peakMs,
      discarded: this.#discarded,
      restarts: this.#restarts,
      inserted: this.#inserted,
      dropped: this.#dropped,
      stretched: this.#stretched,
      cut: this.#cut,
      bufferedPackets: this.#packets.length,
    };
  }

  /**
   * Forgets the stream's timeline: the RTP session calls this when the SSRC changes (RFC 3550 §8.2). The counters
   * and the jitter measured so far are kept; buffered packets are discarded and counted.
   */
  restart(): void {
    this.#restarts++;
    this.#discarded += this.#packets.length;
    this.#packets = [];
    this.#reference = null;
    this.#suspect = null;
    this.#started = false;
    this.#pending = [];
    this.#pendingOffset = 0;
    this.#pendingSamples = 0;
    this.#lastSequence = null;
    this.#played.clear();
    this.#playedOrder = [];
    this.#unresolvedConcealed = 0;
    this.#concealRunSamples = 0;
    this.#lastDecodedQuiet = true;
    this.#estimator.restartBase();
  }

  get #decodedUpTo(): number {
    return this.#position + this.#pendingSamples;
  }

  #playoutDelayMs(nowMs: number): number {
    const baseline = this.#estimator.baselineMs;
    return baseline === null ? 0 : nowMs - this.#position / SAMPLES_PER_MS - baseline;
  }

  #inWindow(position: number, sequence: number, reference: TimelineReference): boolean {
    if (Math.abs(sequence - reference.sequence) > MAX_SEQUENCE_JUMP) return false;
    const capacity = CAPACITY_MS * SAMPLES_PER_MS;
    const anchor = this.#started ? this.#position : Math.round(reference.timestamp * this.#samplesPerTick);
    return position >= anchor - capacity && position <= anchor + capacity;
  }

  /** A packet far from the stream: junk, or the first of a restarted stream if the next one follows it. */
  #admitOutsider(packet: ReceivedAudioPacket): void {
    const suspect = this.#suspect;
    const follows =
      suspect !== null &&
      (packet.sequence & 0xffff) === ((suspect.rawSequence + 1) & 0xffff) &&
      (((packet.timestamp >>> 0) - suspect.rawTimestamp) | 0) > 0 &&
      (((packet.timestamp >>> 0) - suspect.rawTimestamp) | 0) * this.#samplesPerTick <=
        CAPACITY_MS * SAMPLES_PER_MS;
    this.#discarded++;
    if (!follows) {
      this.#suspect = { rawSequence: packet.sequence & 0xffff, rawTimestamp: packet.timestamp >>> 0 };
      return;
    }
    // The suspect was thrown away already; this packet starts the new stream.
    this.#discarded--;
    this.#received--;
    this.restart();
    this.push(packet);
  }

  #insert(packet: BufferedPacket): void {
    let index = this.#packets.length;
    while (index > 0 && (this.#packets[index - 1]?.position ?? 0) > packet.position) index--;
    this.#packets.splice(index, 0, packet);
  }

  /**
   * Starts playing once the earliest packet has waited for the target delay, at the newest packet that has waited
   * that long (to the frame). Packets can arrive long before the first pull (the stream receives from its start, the playout
   * clock runs only once someone listens): starting at the oldest would keep all of that wait as standing delay,
   * which a continuous sound offers no quiet frame to shed. The older packets are discarded, and counted.
   */
  #tryStart(nowMs: number): boolean {
    const first = this.#packets[0];
    const baseline = this.#estimator.baselineMs;
    if (first === undefined || baseline === null) return false;
    const excessMs = nowMs - first.position / SAMPLES_PER_MS - baseline - this.#estimator.targetMs;
    if (excessMs < 0) return false;
    // Whole frames only: a pull comes every frame, so an excess under one is the pull's own granularity.
    const startBy = first.position + Math.floor(excessMs / FRAME_MS) * FRAME_SAMPLES;
    let startIndex = 0;
    while ((this.#packets[startIndex + 1]?.position ?? Number.POSITIVE_INFINITY) <= startBy) startIndex++;
    if (startIndex > 0) {
      this.#discarded += startIndex;
      this.#packets = this.#packets.slice(startIndex);
    }
    this.#started = true;
    this.#position = this.#packets[0]?.position ?? first.position;
    this.#lastShrinkMs = nowMs;
    return true;
  }

  /** Grows the delay by one frame: P does not move. */
  #insertFrame(quiet: boolean): Int16Array {
    this.#inserted++;
    if (quiet || this.#lastSequence === null) return this.#lastFrame.slice();
    this.#stretched++;
    // A copy: a decoder may hand out the same buffer on each call, and this frame is kept as the last one played.
    const stretched = fitLength(this.#decoder.conceal(FRAME_SAMPLES), FRAME_SAMPLES).slice();
    this.#lastFrame = stretched;
    return stretched;
  }

  /** The next FRAME_SAMPLES from P, refilling from the packets as needed; advances P. */
  #nextFrame(): Int16Array {
    const frame = new Int16Array(FRAME_SAMPLES);
    this.#frameConcealedLoss = false;
    this.#frameConcealedUnderrun = false;
    let filled = 0;
    while (filled < FRAME_SAMPLES) {
      if (this.#pendingSamples === 0) this.#refill();
      const chunk = this.#pending[0];
      // A packet that decoded to nothing was still consumed: refill again. Every refill either appends samples or
      // takes a packet out, so this ends.
      if (chunk === undefined) continue;
      const count = Math.min(FRAME_SAMPLES - filled, chunk.length - this.#pendingOffset);
      frame.set(chunk.subarray(this.#pendingOffset, this.#pendingOffset + count), filled);
      filled += count;
      this.#pendingOffset += count;
      this.#pendingSamples -= count;
      this.#position += count;
      if (this.#pendingOffset >= chunk.length) {
        this.#pending.shift();
        this.#pendingOffset = 0;
      }
    }
    if (this.#frameConcealedLoss) this.#concealed++;
    else if (this.#frameConcealedUnderrun) this.#unresolvedConcealed++;
    return frame;
  }

  /** Appends at least one sample at X. */
  #refill(): void {
    const start = this.#decodedUpTo;
    // Packets overlapped by a longer one before them cannot play any more.
    while ((this.#packets[0]?.position ?? Number.POSITIVE_INFINITY) < start) {
      this.#packets.shift();
      this.#late++;
    }
    const next = this.#packets[0];
    if (next === undefined) {
      this.#underrun();
      return;
    }
    const gap = next.position - start;
    // A talk spurt's first packet (marker bit, RFC 3551 §4.1) follows a pause. Sequence numbers skipped before it
    // belonged to the pause: lost comfort noise, or packets the RTP session kept for itself (comfort noise,
    // RFC 4733 events share the sequence space). So the gap is silence and nothing is counted lost.
    const missing = this.#lastSequence === null || next.marker ? 0 : next.sequence - this.#lastSequence - 1;
    if (gap <= 0) {
      this.#packets.shift();
      this.#play(next, missing);
      return;
    }
    if (missing <= 0) {
      // The sender left a gap in its timestamps without skipping a sequence number, or the next packet starts a
      // talk spurt: it paused (silence suppression or DTX), so the gap is silence, not loss.
      this.#append(new Int16Array(Math.min(gap, FRAME_SAMPLES)));
      return;
    }
    const chunk = Math.min(gap, this.#lastPacketSamples);
    if (gap <= this.#lastPacketSamples && this.#decoder.recoverFromNext !== undefined) {
      const rebuilt = this.#decoder.recoverFromNext(next.payload, chunk);
      if (rebuilt !== null) {
        this.#recovered++;
        this.#append(fitLength(rebuilt, chunk));
        return;
      }
    }
    this.#frameConcealedLoss = true;
    this.#appendConcealment(chunk);
  }

  #underrun(): void {
    if (this.#lastSequence === null || this.#concealRunSamples >= MAX_CONCEAL_MS * SAMPLES_PER_MS) {
      this.#append(new Int16Array(FRAME_SAMPLES));
      return;
    }
    if (this.#lastDecodedQuiet) {
      // Silence is how quiet audio is concealed: should a later packet show that this turn's packet was lost, this
      // frame filled the loss like any concealment and is counted with it (for as long as concealment would run).
      this.#frameConcealedUnderrun = true;
      this.#concealRunSamples += FRAME_SAMPLES;
      this.#append(new Int16Array(FRAME_SAMPLES));
      return;
    }
    this.#frameConcealedUnderrun = true;
    this.#appendConcealment(this.#lastPacketSamples);
  }

  #appendConcealment(samples: number): void {
    if (this.#concealRunSamples >= MAX_CONCEAL_MS * SAMPLES_PER_MS) {
      this.#append(new Int16Array(samples));
      return;
    }
    this.#concealRunSamples += samples;
    this.#append(fitLength(this.#decoder.conceal(samples), samples));
  }

  #play(packet: BufferedPacket, missing: number): void {
    const decoded = this.#decoder.decode(packet.payload);
    const overlap = this.#decodedUpTo - packet.position;
    const audio = overlap > 0 ? decoded.subarray(Math.min(overlap, decoded.length)) : decoded;
    if (missing > 0) {
      this.#lost += missing;
      this.#concealed += this.#unresolvedConcealed;
    }
    this.#unresolvedConcealed = 0;
    this.#concealRunSamples = 0;
    this.#lastSequence = packet.sequence;
    if (decoded.length > 0) this.#lastPacketSamples = decoded.length;
    this.#lastDecodedQuiet = isQuiet(decoded);
    this.#remember(packet.sequence);
    // A packet entirely overlapped by audio already decoded still counts as played; it just adds nothing.
    this.#append(audio.length > 0 ? audio : new Int16Array(0));
  }

  /**
   * Queues a copy of samples at X: they may be a decoder's reused buffer, and a stretched frame (a `conceal` call)
   * can come while part of a long packet is still queued. A copy of 20 ms is cheap beside decoding it.
   */
  #append(samples: Int16Array): void {
    if (samples.length === 0) return;
    this.#pending.push(samples.slice());
    this.#pendingSamples += samples.length;
  }

  #remember(sequence: number): void {
    this.#played.add(sequence);
    this.#playedOrder.push(sequence);
    if (this.#playedOrder.length > PLAYED_MEMORY) {
      const forgotten = this.#playedOrder.shift();
      if (forgotten !== undefined) this.#played.delete(forgotten);
    }
  }
}

/** Whether a frame is quiet enough to drop or repeat unnoticed. */
export function isQuiet(samples: Int16Array): boolean {
  if (samples.length === 0) return true;
  let energy = 0;
  for (const sample of samples) energy += sample * sample;
  return energy / samples.length <= QUIET_RMS * QUIET_RMS;
}

/** Exactly `length` samples: a decoder that returned more or fewer is cut or padded with silence. */
function fitLength(samples: Int16Array, length: number): Int16Array {
  if (samples.length === length) return samples;
  const fitted = new Int16Array(length);
  fitted.set(samples.subarray(0, length));
  return fitted;
}
