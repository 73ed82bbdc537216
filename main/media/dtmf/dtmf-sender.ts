// RFC 4733 §2.5.1 sending of one DTMF event, as a plan: which packets go out at which offset from the event's start.
// Pure: the RTP session sends each planned packet at its time on the injected clock, with its own sequence numbers
// and the one timestamp of the event.
//
//   t = 0        first packet, marker set, duration = one update interval
//   t = k × 50   an update every 50 ms (§2.5.1.2), the duration growing to cover the event up to the next update
//   t ≥ length   the end packet (E bit, the final duration), sent three times one interval apart (§2.5.1.4), so one
//                or two lost packets do not stretch the tone at the far end
//
// Every packet of the event carries the same RTP timestamp, the instant the event began (§2.5.1); durations are in
// the telephone-event clock (8000 or 48000 Hz), so an event at 48 kHz is capped at 1.365 s (§2.5.1.3's segmenting
// of longer events is not needed for key presses).
import { eventCodeOf, MAX_EVENT_DURATION_UNITS, writeTelephoneEvent } from './telephone-event';

/** §2.5.1.2 recommends an update every 50 ms. */
export const DTMF_UPDATE_INTERVAL_MS = 50;
/** §2.5.1.4: the end packet goes out three times in all. */
export const DTMF_END_REPEATS = 3;
/** The power level we report, −10 dBm0 (§2.3.4), a typical keypad level. */
export const DTMF_VOLUME = 10;
/** Shortest event we send: Q.24 asks receivers to accept 40 ms, and two updates make it robust to one loss. */
export const MIN_DTMF_DURATION_MS = 40;

export interface PlannedEventPacket {
  /** Milliseconds after the event began. */
  readonly atMs: number;
  readonly marker: boolean;
  readonly payload: Uint8Array;
}

export interface DtmfPlanOptions {
  readonly digit: string;
  readonly durationMs: number;
  /** The telephone-event clock rate (its rtpmap), e.g. 8000 or 48000. */
  readonly clockRate: number;
  readonly updateIntervalMs?: number;
  readonly volume?: number;
}

/** The packets of one event, in send order, or undefined when `digit` is not a DTMF digit. */
export function planDtmfEvent(options: DtmfPlanOptions): readonly PlannedEventPacket[] | undefined {
  const event = eventCodeOf(options.digit);
  if (event === undefined) return undefined;
  const interval = options.updateIntervalMs ?? DTMF_UPDATE_INTERVAL_MS;
  const volume = options.volume ?? DTMF_VOLUME;
  const unitsPerMs = options.clockRate / 1000;
  const maxMs = Math.floor(MAX_EVENT_DURATION_UNITS / unitsPerMs);
  const lengthMs = Math.min(maxMs, Math.max(MIN_DTMF_DURATION_MS, Math.round(options.durationMs)));
  const units = (ms: number): number => Math.round(ms * unitsPerMs);

  const packets: PlannedEventPacket[] = [];
  for (let atMs = 0; atMs < lengthMs; atMs += interval) {
    packets.push({
      atMs,
      marker: atMs === 0,
      payload: writeTelephoneEvent({
        event,
        end: false,
        volume,
        duration: units(Math.min(atMs + interval, lengthMs)),
      }),
    });
  }
  const end = writeTelephoneEvent({ event, end: true, volume, duration: units(lengthMs) });
  for (let repeat = 0; repeat < DTMF_END_REPEATS; repeat++) {
    packets.push({ atMs: lengthMs + repeat * interval, marker: false, payload: end });
  }
  return packets;
}
