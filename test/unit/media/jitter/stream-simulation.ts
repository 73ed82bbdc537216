// A deterministic sender → network → jitter buffer → playout clock loop for the jitter-buffer tests. The sender
// makes one packet per `ptimeMs` on its own clock (which may run fast or slow), the network model decides whether
// and when each copy arrives, and the playout clock pulls a frame every 20 ms on the receiver's clock.
import type { JitterBuffer, ReceivedAudioPacket } from '../../../../main/media/media-seams';
import { FRAME_MS } from '../../../../main/media/media-seams';
import { SeededRandom } from '../../../support/seeded-random';
import { fakePayload } from './fake-voice-decoder';

export interface SentPacket {
  readonly index: number;
  /** When the sender sent it, on the receiver's clock. */
  readonly sentMs: number;
  readonly packet: Omit<ReceivedAudioPacket, 'arrivalMs'>;
}

export interface SenderOptions {
  readonly count: number;
  readonly ptimeMs?: number;
  readonly clockRate?: number;
  readonly firstSequence?: number;
  readonly firstTimestamp?: number;
  /** The sender's clock runs this much fast (0.005) or slow (-0.005). */
  readonly drift?: number;
  /** Whether packet `index` is speech (true) or silence; silence is not sent when `suppressSilence`. */
  readonly speech?: (index: number) => boolean;
  readonly suppressSilence?: boolean;
}

/** The packets a sender makes, with sequence and timestamp wrapping as RTP's do. */
export function send(options: SenderOptions): SentPacket[] {
  const ptimeMs = options.ptimeMs ?? FRAME_MS;
  const clockRate = options.clockRate ?? 48_000;
  const ticksPerPacket = (clockRate * ptimeMs) / 1_000;
  const samplesPerPacket = 48 * ptimeMs;
  const speech = options.speech ?? (() => true);
  const drift = options.drift ?? 0;
  const packets: SentPacket[] = [];
  let sequence = options.firstSequence ?? 1_000;
  let previousSpeech = false;
  for (let index = 0; index < options.count; index++) {
    const isSpeech = speech(index);
    const marker = isSpeech && !previousSpeech;
    previousSpeech = isSpeech;
    if (!isSpeech && options.suppressSilence === true) continue;
    packets.push({
      index,
      // A fast sender's 20 ms pass in less than 20 ms of the receiver's time.
      sentMs: (index * ptimeMs) / (1 + drift),
      packet: {
        sequence: sequence & 0xffff,
        timestamp: ((options.firstTimestamp ?? 0) + index * ticksPerPacket) % 2 ** 32,
        marker,
        payload: fakePayload(index, isSpeech, samplesPerPacket),
      },
    });
    sequence++;
  }
  return packets;
}

export interface NetworkOptions {
  readonly seed?: number;
  /** Fixed one-way delay, ms. */
  readonly delayMs?: number;
  /** Extra delay drawn uniformly from [0, jitterMs] per packet, so packets reorder. */
  readonly jitterMs?: number;
  /** Jitter starts with the packets sent from this time on (a calm start, then a worse network). */
  readonly jitterFromMs?: number;
  /** The path gets this much longer for packets sent from `atMs` on (a route change). */
  readonly delayStep?: { readonly atMs: number; readonly extraMs: number };
  readonly lossRate?: number;
  /** Once a loss starts, each following packet is lost with this probability (Gilbert-style bursts). */
  readonly burstContinueRate?: number;
  readonly duplicateRate?: number;
}

/** Each packet's copies as they arrive, in arrival order. */
export function transmit(sent: readonly SentPacket[], options: NetworkOptions = {}): ReceivedAudioPacket[] {
  const random = new SeededRandom(options.seed ?? 7);
  const arrivals: ReceivedAudioPacket[] = [];
  let inBurst = false;
  for (const { sentMs, packet } of sent) {
    const lost: boolean = inBurst
      ? random.fraction() < (options.burstContinueRate ?? 0)
      : random.fraction() < (options.lossRate ?? 0);
    inBurst = lost;
    if (lost) continue;
    const copies = random.fraction() < (options.duplicateRate ?? 0) ? 2 : 1;
    for (let copy = 0; copy < copies; copy++) {
      const jitterMs = sentMs >= (options.jitterFromMs ?? 0) ? (options.jitterMs ?? 0) : 0;
      const stepMs =
        options.delayStep !== undefined && sentMs >= options.delayStep.atMs ? options.delayStep.extraMs : 0;
      const arrivalMs = sentMs + (options.delayMs ?? 30) + stepMs + random.fraction() * jitterMs;
      arrivals.push({ ...packet, arrivalMs });
    }
  }
  // A stable sort keeps equal arrival times in sending order.
  return arrivals.sort((a, b) => a.arrivalMs - b.arrivalMs);
}

export interface PlayoutObserver {
  (nowMs: number, frame: Int16Array): void;
}

/**
 * Pushes every arrival up to each tick (in arrival order, whatever the list's order), then pulls, from `fromMs` for
 * `durationMs`; returns the frames.
 */
export function playOut(
  buffer: JitterBuffer,
  unordered: readonly ReceivedAudioPacket[],
  durationMs: number,
  observe?: PlayoutObserver,
  fromMs = 0,
): Int16Array[] {
  const arrivals = [...unordered].sort((a, b) => a.arrivalMs - b.arrivalMs);
  const frames: Int16Array[] = [];
  let next = 0;
  for (let nowMs = fromMs; nowMs < fromMs + durationMs; nowMs += FRAME_MS) {
    while (next < arrivals.length && (arrivals[next]?.arrivalMs ?? Infinity) <= nowMs) {
      const arrival = arrivals[next];
      if (arrival !== undefined) buffer.push(arrival);
      next++;
    }
    const frame = buffer.pull(nowMs);
    frames.push(frame);
    observe?.(nowMs, frame);
  }
  return frames;
}
