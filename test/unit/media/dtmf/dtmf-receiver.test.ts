// RFC 4733 §2.5.2: each event becomes one digit, whatever the network does to its packets.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DtmfReceiver } from '../../../../main/media/dtmf/dtmf-receiver';
import { planDtmfEvent } from '../../../../main/media/dtmf/dtmf-sender';
import type { DtmfDigit } from '../../../../main/media/media-seams';

function event(code: number, durationUnits: number, end = false): Uint8Array {
  return Uint8Array.from([code, (end ? 0x80 : 0) | 10, durationUnits >> 8, durationUnits & 0xff]);
}

/** Feeds a whole event's planned packets (timestamp `ts`, starting at `startMs`), keeping those `keep` accepts. */
function feedPlan(
  receiver: DtmfReceiver,
  digit: string,
  ts: number,
  startMs: number,
  keep: (index: number) => boolean = () => true,
): DtmfDigit[] {
  const plan = planDtmfEvent({ digit, durationMs: 100, clockRate: 8000 })!;
  return plan.flatMap((packet, index) =>
    keep(index) ? receiver.receive(ts, packet.payload, startMs + packet.atMs).digits : [],
  );
}

describe('DtmfReceiver', () => {
  it('turns a whole event into one digit at its first end packet, ignoring the two repeats', () => {
    const receiver = new DtmfReceiver({ clockRate: 8000 });
    expect(feedPlan(receiver, '7', 1000, 0)).toEqual([{ digit: '7', durationMs: 100 }]);
    expect(receiver.expiresAt).toBeUndefined();
  });

  it('still gives the digit once when the first packet is lost, or every packet is duplicated', () => {
    const receiver = new DtmfReceiver({ clockRate: 8000 });
    expect(feedPlan(receiver, '1', 1000, 0, (index) => index !== 0)).toEqual([
      { digit: '1', durationMs: 100 },
    ]);
    const plan = planDtmfEvent({ digit: '2', durationMs: 100, clockRate: 8000 })!;
    const digits = plan.flatMap((packet) => [
      ...receiver.receive(2000, packet.payload, 500 + packet.atMs).digits,
      ...receiver.receive(2000, packet.payload, 501 + packet.atMs).digits,
    ]);
    expect(digits).toEqual([{ digit: '2', durationMs: 100 }]);
  });

  it('ends an event whose end packets were all lost by timeout, once', () => {
    const receiver = new DtmfReceiver({ clockRate: 8000, timeoutMs: 250 });
    expect(receiver.receive(5000, event(9, 400), 0).digits).toEqual([]);
    expect(receiver.receive(5000, event(9, 800), 50).digits).toEqual([]);
    expect(receiver.expiresAt).toBe(300);
    expect(receiver.expire(299)).toBeUndefined();
    expect(receiver.expire(300)).toEqual({ digit: '9', durationMs: 100 });
    expect(receiver.expire(400)).toBeUndefined();
    // A straggler of that event arriving later is not a new digit.
    expect(receiver.receive(5000, event(9, 800, true), 420).digits).toEqual([]);
  });

  it('ends an unfinished event when the next one starts (new timestamp)', () => {
    const receiver = new DtmfReceiver({ clockRate: 8000 });
    receiver.receive(100, event(3, 400), 0);
    expect(receiver.receive(2100, event(4, 400), 200).digits).toEqual([{ digit: '3', durationMs: 50 }]);
    expect(receiver.receive(2100, event(4, 800, true), 250).digits).toEqual([
      { digit: '4', durationMs: 100 },
    ]);
  });

  it('keeps the longest duration when updates arrive out of order', () => {
    const receiver = new DtmfReceiver({ clockRate: 48_000 });
    receiver.receive(7, event(0, 4800), 50);
    receiver.receive(7, event(0, 2400), 60);
    expect(receiver.receive(7, event(0, 4800, true), 100).digits).toEqual([{ digit: '0', durationMs: 100 }]);
  });

  it('refuses bad payloads without disturbing the event in progress', () => {
    const receiver = new DtmfReceiver({ clockRate: 8000 });
    receiver.receive(1, event(5, 400), 0);
    expect(receiver.receive(1, new Uint8Array(2), 10)).toEqual({ digits: [], rejected: 'bad-length' });
    expect(receiver.receive(1, event(20, 400), 10)).toEqual({ digits: [], rejected: 'unknown-event' });
    expect(receiver.receive(1, event(5, 800, true), 50).digits).toEqual([{ digit: '5', durationMs: 100 }]);
  });

  it('never gives a digit twice for one timestamp, whatever the packets (seeded)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            ts: fc.constantFrom(10, 20, 30),
            code: fc.nat({ max: 15 }),
            duration: fc.nat({ max: 0xffff }),
            end: fc.boolean(),
            gapMs: fc.nat({ max: 400 }),
          }),
          { maxLength: 60 },
        ),
        (packets) => {
          const receiver = new DtmfReceiver({ clockRate: 8000 });
          let now = 0;
          let digits = 0;
          let lastTs: number | undefined;
          let changes = 0;
          for (const packet of packets) {
            now += packet.gapMs;
            digits += receiver.expire(now) === undefined ? 0 : 1;
            digits += receiver.receive(packet.ts, event(packet.code, packet.duration, packet.end), now).digits
              .length;
            if (packet.ts !== lastTs) changes++;
            lastTs = packet.ts;
          }
          // At most one digit per run of packets with one timestamp.
          expect(digits).toBeLessThanOrEqual(changes);
        },
      ),
      { seed: 4733, numRuns: 500 },
    );
  });
});
