// RFC 4733 §2.5.1: the packets of one event, byte for byte, at 8000 and 48000 Hz.
import { describe, expect, it } from 'vitest';
import { planDtmfEvent, type PlannedEventPacket } from '../../../../main/media/dtmf/dtmf-sender';

function plain(plan: readonly PlannedEventPacket[] | undefined): [number, boolean, number[]][] {
  return (plan ?? []).map((packet) => [packet.atMs, packet.marker, Array.from(packet.payload)]);
}

describe('planDtmfEvent', () => {
  it('sends a 100 ms "5" at 8000 Hz as two updates and the end packet three times', () => {
    expect(plain(planDtmfEvent({ digit: '5', durationMs: 100, clockRate: 8000 }))).toEqual([
      // event 5, volume 10, duration 400 units (50 ms), marker on the first packet only
      [0, true, [0x05, 0x0a, 0x01, 0x90]],
      [50, false, [0x05, 0x0a, 0x03, 0x20]],
      // the E bit with the final duration (800 units), three times one update interval apart (§2.5.1.4)
      [100, false, [0x05, 0x8a, 0x03, 0x20]],
      [150, false, [0x05, 0x8a, 0x03, 0x20]],
      [200, false, [0x05, 0x8a, 0x03, 0x20]],
    ]);
  });

  it('counts durations in the 48 kHz clock and ends a length that is not a multiple of 50 ms exactly', () => {
    expect(plain(planDtmfEvent({ digit: '#', durationMs: 120, clockRate: 48_000 }))).toEqual([
      [0, true, [0x0b, 0x0a, 0x09, 0x60]], // 2400 units
      [50, false, [0x0b, 0x0a, 0x12, 0xc0]], // 4800
      [100, false, [0x0b, 0x0a, 0x16, 0x80]], // 5760 = 120 ms
      [120, false, [0x0b, 0x8a, 0x16, 0x80]],
      [170, false, [0x0b, 0x8a, 0x16, 0x80]],
      [220, false, [0x0b, 0x8a, 0x16, 0x80]],
    ]);
  });

  it('caps an event so its duration fits 16 bits of the clock (1365 ms at 48 kHz)', () => {
    const plan = planDtmfEvent({ digit: '1', durationMs: 5_000, clockRate: 48_000 })!;
    const end = plan[plan.length - 1]!;
    expect(end.atMs).toBe(1365 + 100);
    expect(Array.from(end.payload)).toEqual([0x01, 0x8a, 0xff, 0xf0]); // 1365 × 48 = 65520
  });

  it('stretches a too-short event to 40 ms and refuses what is not a digit', () => {
    const plan = planDtmfEvent({ digit: 'a', durationMs: 5, clockRate: 8000 })!;
    expect(plain(plan)[0]).toEqual([0, true, [12, 0x0a, 0x01, 0x40]]); // 320 units = 40 ms
    expect(planDtmfEvent({ digit: 'x', durationMs: 100, clockRate: 8000 })).toBeUndefined();
  });
});
