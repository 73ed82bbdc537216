import { describe, expect, it } from 'vitest';
import { callArrivals } from '../../../bench/calls/sipp-call-times';
import { linearFit } from '../../../bench/calls/linear-fit';
import { answerFormat } from '../../../bench/calls/peers';
import { okCallId, requestCallId } from '../../../bench/calls/sip-trace';
import { parseProcStat, totalTicks } from '../../../bench/calls/proc-stat';
import { quantile, spreadOf } from '../../../bench/calls/spread';
import { speechSignal } from '../../../bench/calls/speech-signal';
import { parseMessageLog } from '../../interop/support/sipp';

describe('parseProcStat', () => {
  it('reads utime and stime (fields 14 and 15)', () => {
    const line =
      '4242 (node) S 1 4242 4242 0 -1 4194560 9000 0 12 0 731 52 0 0 20 0 11 0 1234 1000000 5000 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ user: 731, system: 52 });
    expect(totalTicks(parseProcStat(line))).toBe(783);
  });

  it('counts fields from the last parenthesis, so a command name with spaces and parentheses is skipped', () => {
    const line = '17 (we (ird) name) R 1 17 17 0 -1 0 0 0 0 0 5 7 0 0 20 0 1 0 99 0 0';
    expect(parseProcStat(line)).toEqual({ user: 5, system: 7 });
  });

  it('refuses text that is not a stat line', () => {
    expect(() => parseProcStat('no such thing')).toThrow('not a /proc stat line');
    expect(() => parseProcStat('1 (x) S 1 2')).toThrow('no utime/stime');
  });
});

describe('spreadOf', () => {
  it('gives min, p10, median, p90 and max, interpolating between ranks', () => {
    expect(spreadOf([5, 1, 4, 2, 3])).toEqual({ count: 5, min: 1, p10: 1.4, median: 3, p90: 4.6, max: 5 });
  });

  it('takes the mean of the middle two as the median of an even count', () => {
    expect(spreadOf([10, 2, 4, 8]).median).toBe(6);
    expect(quantile([7], 0.9)).toBe(7);
  });

  it('refuses an empty series and a fraction outside 0–1', () => {
    expect(() => spreadOf([])).toThrow('no values');
    expect(() => quantile([1, 2], 1.5)).toThrow('outside');
  });
});

function entry(time: string, direction: 'sent' | 'received', lines: readonly string[]): string {
  return [
    `----------------------------------------------- 2026-12-05 02:10:${time}`,
    `UDP message ${direction} (100 bytes):`,
    '',
    ...lines,
    '',
    '',
  ].join('\n');
}

describe('callArrivals', () => {
  it('pairs each call’s first received INVITE with its first received ACK, in arrival order', () => {
    const log = [
      entry('00.000100', 'received', ['INVITE sip:a@127.0.0.1 SIP/2.0', 'Call-ID: one', 'CSeq: 1 INVITE']),
      entry('00.000900', 'sent', ['SIP/2.0 200 OK', 'Call-ID: one', 'CSeq: 1 INVITE']),
      // A retransmitted INVITE does not move the start.
      entry('00.001000', 'received', ['INVITE sip:a@127.0.0.1 SIP/2.0', 'Call-ID: one', 'CSeq: 1 INVITE']),
      entry('00.002500', 'received', ['ACK sip:a@127.0.0.1 SIP/2.0', 'Call-ID: one', 'CSeq: 1 ACK']),
      entry('00.003000', 'received', ['ACK sip:a@127.0.0.1 SIP/2.0', 'Call-ID: one', 'CSeq: 1 ACK']),
      // The compact form of Call-ID counts as well; a call without an ACK keeps ackAt undefined.
      entry('01.000000', 'received', ['INVITE sip:a@127.0.0.1 SIP/2.0', 'i: two', 'CSeq: 1 INVITE']),
    ].join('');
    const calls = callArrivals(parseMessageLog(log));
    expect(calls.map((call) => call.callId)).toEqual(['one', 'two']);
    expect(calls[0]!.ackAt! - calls[0]!.inviteAt).toBeCloseTo(2.4, 3);
    expect(calls[1]!.ackAt).toBeUndefined();
  });
});

describe('speechSignal', () => {
  it('has the asked length, stays clear of clipping and pauses half a second every 3 s', () => {
    const rate = 8000;
    const signal = speechSignal(6, rate);
    expect(signal.length).toBe(6 * rate);
    const peak = signal.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
    expect(peak).toBeGreaterThan(5000);
    expect(peak).toBeLessThan(30_000);
    expect(signal.subarray(2.6 * rate, 2.9 * rate).every((value) => value === 0)).toBe(true);
    expect(signal.subarray(1 * rate, 2 * rate).some((value) => value !== 0)).toBe(true);
  });
});

describe('linearFit', () => {
  it('finds the line through points on a line, with no residual', () => {
    const fit = linearFit([
      { x: 0, y: 0.5 },
      { x: 1, y: 1.7 },
      { x: 5, y: 6.5 },
      { x: 10, y: 12.5 },
    ]);
    expect(fit.intercept).toBeCloseTo(0.5, 9);
    expect(fit.slope).toBeCloseTo(1.2, 9);
    expect(fit.maxResidual).toBeCloseTo(0, 9);
  });

  it('reports the largest distance of a point off the least-squares line', () => {
    const fit = linearFit([
      { x: 0, y: 0 },
      { x: 1, y: 2 },
      { x: 2, y: 2 },
    ]);
    // y = 1/3 + x; residuals −1/3, 2/3, −1/3.
    expect(fit.slope).toBeCloseTo(1, 9);
    expect(fit.intercept).toBeCloseTo(1 / 3, 9);
    expect(fit.maxResidual).toBeCloseTo(2 / 3, 9);
  });

  it('needs two points with different x', () => {
    expect(() => linearFit([{ x: 1, y: 1 }])).toThrow('two points');
    expect(() =>
      linearFit([
        { x: 1, y: 1 },
        { x: 1, y: 2 },
      ]),
    ).toThrow('different x');
  });
});

describe('answerFormat', () => {
  it('answers PCMU with its static type and Opus with the first dynamic one, as RFC 7587 names it', () => {
    expect(answerFormat('pcmu')).toEqual({ pt: '0', rtpmap: '0 PCMU/8000' });
    expect(answerFormat('opus')).toEqual({ pt: '96', rtpmap: '96 opus/48000/2' });
  });
});

describe('SIP trace reading', () => {
  const bytes = (lines: readonly string[]): Uint8Array =>
    new TextEncoder().encode(`${lines.join('\r\n')}\r\n\r\n`);

  it('names the call of a request of the method asked for, and of no other', () => {
    const ack = bytes([
      'ACK sip:bob@127.0.0.1:5070 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1',
      'Call-ID: abc@x',
      'CSeq: 1 ACK',
    ]);
    expect(requestCallId(ack, 'ACK')).toBe('abc@x');
    expect(requestCallId(ack, 'INVITE')).toBeUndefined();
    expect(requestCallId(bytes(['INVITE sip:b@h SIP/2.0', 'i: compact-1']), 'INVITE')).toBe('compact-1');
  });

  it('names the call of a 2xx to an INVITE only', () => {
    expect(okCallId(bytes(['SIP/2.0 200 OK', 'Call-ID: c1', 'CSeq: 7 INVITE']))).toBe('c1');
    expect(okCallId(bytes(['SIP/2.0 200 OK', 'Call-ID: c1', 'CSeq: 8 BYE']))).toBeUndefined();
    expect(okCallId(bytes(['SIP/2.0 180 Ringing', 'Call-ID: c1', 'CSeq: 7 INVITE']))).toBeUndefined();
  });
});
