// The RFC 4733 §2.3 payload: digits ⇄ event codes, the four octets both ways, and what is refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  digitOf,
  eventCodeOf,
  parseTelephoneEvent,
  writeTelephoneEvent,
} from '../../../../main/media/dtmf/telephone-event';

describe('telephone-event codes', () => {
  it('maps the sixteen DTMF digits to events 0-15 (§3.2) and back', () => {
    const digits = '0123456789*#ABCD';
    for (let code = 0; code < 16; code++) {
      expect(eventCodeOf(digits[code]!)).toBe(code);
      expect(digitOf(code)).toBe(digits[code]);
    }
    expect(eventCodeOf('b')).toBe(13);
  });

  it('knows no digit for flash (16), other codes or other characters', () => {
    expect(digitOf(16)).toBeUndefined();
    expect(digitOf(-1)).toBeUndefined();
    expect(eventCodeOf('E')).toBeUndefined();
    expect(eventCodeOf('12')).toBeUndefined();
    expect(eventCodeOf('')).toBeUndefined();
  });
});

describe('parseTelephoneEvent / writeTelephoneEvent', () => {
  it('reads event, E bit, volume and duration', () => {
    const parsed = parseTelephoneEvent(Uint8Array.from([0x0b, 0x8a, 0x03, 0x20]));
    expect(parsed).toEqual({ ok: true, value: { event: 11, end: true, volume: 10, duration: 800 } });
  });

  it('ignores the reserved R bit on read and writes it as zero', () => {
    const parsed = parseTelephoneEvent(Uint8Array.from([0x01, 0x4a, 0x00, 0xa0]));
    expect(parsed).toEqual({ ok: true, value: { event: 1, end: false, volume: 10, duration: 160 } });
    expect(Array.from(writeTelephoneEvent({ event: 1, end: false, volume: 10, duration: 160 }))).toEqual([
      0x01, 0x0a, 0x00, 0xa0,
    ]);
  });

  it('refuses payloads that are not exactly four octets, and events that are not digits', () => {
    expect(parseTelephoneEvent(new Uint8Array(3))).toEqual({ ok: false, error: 'bad-length' });
    expect(parseTelephoneEvent(new Uint8Array(8))).toEqual({ ok: false, error: 'bad-length' });
    expect(parseTelephoneEvent(Uint8Array.from([16, 0x8a, 0, 1]))).toEqual({
      ok: false,
      error: 'unknown-event',
    });
  });

  it('clamps a duration past 16 bits rather than wrapping it', () => {
    expect(Array.from(writeTelephoneEvent({ event: 0, end: true, volume: 10, duration: 70_000 }))).toEqual([
      0x00, 0x8a, 0xff, 0xff,
    ]);
  });

  it('round-trips every valid event, and never throws on any bytes', () => {
    fc.assert(
      fc.property(
        fc.record({
          event: fc.nat({ max: 15 }),
          end: fc.boolean(),
          volume: fc.nat({ max: 63 }),
          duration: fc.nat({ max: 0xffff }),
        }),
        (event) => {
          expect(parseTelephoneEvent(writeTelephoneEvent(event))).toEqual({ ok: true, value: event });
        },
      ),
      { seed: 4733, numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (bytes) => {
        const parsed = parseTelephoneEvent(bytes);
        expect(typeof parsed.ok).toBe('boolean');
      }),
      { seed: 4733, numRuns: 1000 },
    );
  });
});
