// RTP sending (RFC 3550 §5.1): random origin, sequence and timestamp wrap, the timeline across pauses and events,
// and the one reused send buffer.
import { describe, expect, it } from 'vitest';
import { parseRtpPacket, type RtpPacket } from '../../../../main/media/rtp/rtp-packet';
import { RtpSender } from '../../../../main/media/rtp/rtp-sender';
import { SeededRandom } from '../../../support/seeded-random';
import { fixedRandom } from './fixed-random';

const PAYLOAD = new Uint8Array(160).fill(0xd5);

function parsed(bytes: Uint8Array | undefined): RtpPacket {
  const result = parseRtpPacket(bytes!.slice());
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

function audio(sender: RtpSender, nowMs: number, marker = false): RtpPacket {
  return parsed(sender.write({ payloadType: 0, payload: PAYLOAD, marker, duration: 160 }, nowMs));
}

describe('RtpSender', () => {
  it('draws SSRC, first sequence number and first timestamp from the injected random', () => {
    const expected = new SeededRandom(42);
    const word = (): number => {
      const b = expected.bytes(4);
      return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    };
    const ssrc = word();
    const sequence = word() & 0xffff;
    const timestamp = word();
    const sender = new RtpSender(new SeededRandom(42), 8000);
    const first = audio(sender, 0);
    expect(first).toMatchObject({ ssrc, sequenceNumber: sequence, timestamp, payloadType: 0 });
    expect(sender.ssrc).toBe(ssrc);
  });

  it('wraps the sequence number at 65535 and the timestamp at 2^32', () => {
    const sender = new RtpSender(fixedRandom([0x11223344, 0xfffe, 0xffffff00]), 8000);
    const packets = [0, 20, 40].map((at) => audio(sender, at));
    expect(packets.map((p) => p.sequenceNumber)).toEqual([0xfffe, 0xffff, 0]);
    expect(packets.map((p) => p.timestamp)).toEqual([0xffffff00, 0xffffffa0, 0x40]);
  });

  it('keeps timestamps back to back whatever the send jitter, a late burst included', () => {
    const sender = new RtpSender(fixedRandom([1, 100, 1000]), 8000);
    const times = [0, 23, 38, 61, 280, 281, 282];
    expect(times.map((at) => audio(sender, at).timestamp)).toEqual([
      1000, 1160, 1320, 1480, 1640, 1800, 1960,
    ]);
  });

  it('advances a talk spurt’s timestamp by the time that passed since the last packet (§5.1)', () => {
    const sender = new RtpSender(fixedRandom([1, 100, 1000]), 8000);
    audio(sender, 0);
    audio(sender, 20);
    // 1 s of silence later: 20 ms after the packet at 1160 would be 1320; a second later is 1160 + 8160.
    const spurt = audio(sender, 1040, true);
    expect(spurt).toMatchObject({ marker: true, timestamp: 1160 + 8160 });
    expect(audio(sender, 1060).timestamp).toBe(1160 + 8160 + 160);
    // A marker sooner than one packet's length never steps back inside the previous packet.
    expect(audio(sender, 1061, true).timestamp).toBe(1160 + 8160 + 320);
  });

  it('gives events their own timestamp; audio after the event resumes from its start plus the time it took', () => {
    const sender = new RtpSender(fixedRandom([1, 100, 1000]), 8000);
    audio(sender, 0);
    const start = sender.spurtTimestampAt(20);
    expect(start).toBe(1160);
    const event = (at: number, marker: boolean): RtpPacket =>
      parsed(sender.write({ payloadType: 101, payload: new Uint8Array(4), marker, timestamp: start }, at));
    expect(
      [event(20, true), event(70, false), event(120, false)].map((p) => [p.timestamp, p.marker]),
    ).toEqual([
      [1160, true],
      [1160, false],
      [1160, false],
    ]);
    const resumed = audio(sender, 340, true);
    expect(resumed.timestamp).toBe(1160 + 320 * 8);
    expect(resumed.sequenceNumber).toBe(104);
  });

  it('reports SR timestamps on the sampling timeline (§6.4.1)', () => {
    const sender = new RtpSender(fixedRandom([1, 100, 1000]), 48_000);
    expect(sender.timestampAt(5)).toBe(1000);
    sender.write({ payloadType: 111, payload: PAYLOAD, marker: false, duration: 960 }, 10);
    expect(sender.timestampAt(15)).toBe(1000 + 240);
  });

  it('writes every packet into one reused buffer and counts payload octets', () => {
    const sender = new RtpSender(new SeededRandom(1), 8000);
    const a = sender.write({ payloadType: 0, payload: PAYLOAD, marker: false, duration: 160 }, 0)!;
    const b = sender.write({ payloadType: 0, payload: PAYLOAD, marker: false, duration: 160 }, 20)!;
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset);
    expect(sender.stats).toEqual({ packets: 2, bytes: 320 });
  });

  it('refuses a payload over the MTU without counting it or moving the sequence', () => {
    const sender = new RtpSender(fixedRandom([1, 100, 1000]), 8000);
    expect(sender.write({ payloadType: 0, payload: new Uint8Array(2000), marker: false }, 0)).toBeUndefined();
    expect(sender.stats.packets).toBe(0);
    expect(audio(sender, 0).sequenceNumber).toBe(100);
  });
});
