// Sends queued DTMF digits as RFC 4733 events on the injected clock: each digit's planned packets (dtmf-sender.ts)
// at their offsets, then a gap of one update interval before the next digit. The adapter between the pure plan
// and the RTP session, which numbers and sends the packets and pauses its audio while `active`.
import type { Clock, TimerHandle } from '../../platform/clock';
import { DTMF_UPDATE_INTERVAL_MS, planDtmfEvent, type PlannedEventPacket } from './dtmf-sender';

export interface DtmfTransmitterOptions {
  readonly clock: Clock;
  /** The telephone-event clock rate. */
  readonly clockRate: number;
  /** The RTP timestamp of an event that starts now (the audio timeline's next talk spurt). */
  readonly startTimestamp: () => number;
  /** Sends one event packet; every packet of an event carries the same timestamp (RFC 4733 §2.5.1). */
  readonly send: (payload: Uint8Array, marker: boolean, timestamp: number) => void;
  /** An event is over (its last end packet went out, or it was cut short): audio may resume. */
  readonly ended: () => void;
}

interface QueuedDigit {
  readonly digit: string;
  readonly durationMs: number;
}

/** Between two digits the audio flows again for one update interval. */
export const INTER_DIGIT_GAP_MS = DTMF_UPDATE_INTERVAL_MS;

export class DtmfTransmitter {
  readonly #options: DtmfTransmitterOptions;
  #queue: QueuedDigit[] = [];
  #active = false;
  #timer: TimerHandle | undefined;

  constructor(options: DtmfTransmitterOptions) {
    this.#options = options;
  }

  /** An event is on the wire now. */
  get active(): boolean {
    return this.#active;
  }

  /** Queues `digits` (0-9, *, #, A-D; anything else is skipped), each `durationMs` long. */
  enqueue(digits: string, durationMs: number): void {
    for (const digit of digits) this.#queue.push({ digit, durationMs });
    if (!this.#active && this.#timer === undefined) this.#next();
  }

  /** Drops the queue and cuts an event short (hold, close); the far end ends it by its timeout. */
  cancel(): void {
    this.#queue = [];
    this.#options.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    if (this.#active) {
      this.#active = false;
      this.#options.ended();
    }
  }

  #next(): void {
    this.#timer = undefined;
    let plan: readonly PlannedEventPacket[] | undefined;
    let queued: QueuedDigit | undefined;
    while (plan === undefined && (queued = this.#queue.shift()) !== undefined) {
      plan = planDtmfEvent({
        digit: queued.digit,
        durationMs: queued.durationMs,
        clockRate: this.#options.clockRate,
      });
    }
    if (plan === undefined) return;
    const clock = this.#options.clock;
    const startMs = clock.now();
    const timestamp = this.#options.startTimestamp();
    this.#active = true;
    const packets = plan;
    const sendAt = (index: number): void => {
      this.#timer = undefined;
      const packet = packets[index];
      if (packet === undefined) return;
      this.#options.send(packet.payload, packet.marker, timestamp);
      const following = packets[index + 1];
      if (following !== undefined) {
        this.#timer = clock.setTimer(startMs + following.atMs - clock.now(), () => sendAt(index + 1));
        return;
      }
      this.#active = false;
      this.#options.ended();
      if (this.#queue.length > 0) this.#timer = clock.setTimer(INTER_DIGIT_GAP_MS, () => this.#next());
    };
    sendAt(0);
  }
}
