// What the receiving half believes and how it numbers packets: payload types, wrap-around, reordering, a new SSRC,
// a restarted numbering, and A.8 jitter over audio only.
import { describe, expect, it } from 'vitest';
import type { RtpPacket } from '../../../../main/media/rtp/rtp-packet';
import { RtpReceiver, type RtpReceiveVerdict } from '../../../../main/media/rtp/rtp-receiver';

const PCMU = 0;
const EVENTS = 101;

function packet(sequenceNumber: number, fields: Partial<RtpPacket> = {}): RtpPacket {
  return {
    marker: false,
    payloadType: PCMU,
    sequenceNumber,
    timestamp: sequenceNumber * 160,
    ssrc: 0xaaaa,
    csrcs: [],
    payload: new Uint8Array(160),
    paddingLength: 0,
    ...fields,
  };
}

function receiver(): RtpReceiver {
  return new RtpReceiver({ audioPayloadType: PCMU, audioClockRate: 8000, telephoneEventPayloadType: EVENTS });
}

function sequences(verdicts: readonly RtpReceiveVerdict[]): (number | string)[] {
  return verdicts.map((verdict) => (verdict.kind === 'discarded' ? verdict.reason : verdict.sequence));
}

describe('RtpReceiver', () => {
  it('accepts only the audio and telephone-event payload types', () => {
    const rx = receiver();
    expect(rx.receive(packet(1, { payloadType: 8 }), 0)).toEqual({
      kind: 'discarded',
      reason: 'payload-type',
    });
    expect(rx.receive(packet(1), 0)).toMatchObject({ kind: 'audio', sequence: 1, ssrcChanged: false });
    expect(rx.receive(packet(2, { payloadType: EVENTS }), 20)).toMatchObject({ kind: 'event', sequence: 2 });
    expect(rx.packets).toBe(2);
    expect(rx.bytes).toBe(320);
  });

  it('delivers the first packet of a source (probation) and marks it as a talk spurt start', () => {
    const rx = receiver();
    expect(rx.receive(packet(500), 0)).toEqual({
      kind: 'audio',
      sequence: 500,
      marker: true,
      ssrcChanged: false,
    });
    expect(rx.receive(packet(501), 20)).toEqual({
      kind: 'audio',
      sequence: 501,
      marker: false,
      ssrcChanged: false,
    });
  });

  it('extends sequence numbers past 65535, reordered packets across the wrap included', () => {
    const rx = receiver();
    const verdicts = [65533, 65534, 0, 65535, 1, 2].map((seq, i) => rx.receive(packet(seq), i * 20));
    expect(sequences(verdicts)).toEqual([65533, 65534, 65536, 65535, 65537, 65538]);
    expect(rx.takeReport()).toMatchObject({ extendedHighestSequence: 65538, cumulativeLost: 0 });
  });

  it('takes a new SSRC as a new source: numbering carries on, tracking and jitter start over', () => {
    const rx = receiver();
    [100, 101, 102].forEach((seq, i) =>
      rx.receive(packet(seq, { timestamp: seq * 160 }), i * 20 + (i === 2 ? 7 : 0)),
    );
    expect(rx.jitter.jitter).toBeGreaterThan(0);
    const changed = rx.receive(packet(40_000, { ssrc: 0xbbbb, timestamp: 9 }), 100);
    expect(changed).toEqual({ kind: 'audio', sequence: 103, marker: true, ssrcChanged: true });
    expect(rx.receive(packet(40_001, { ssrc: 0xbbbb, timestamp: 169 }), 120)).toMatchObject({
      sequence: 104,
      marker: false,
      ssrcChanged: false,
    });
    expect(rx.ssrc).toBe(0xbbbb);
    expect(rx.sourceChanges).toBe(1);
    expect(rx.jitter.jitter).toBe(0);
    expect(rx.takeReport()).toMatchObject({ extendedHighestSequence: 40_001, cumulativeLost: 0 });
  });

  it('drops one big jump but follows a sender that restarted its numbering (A.1)', () => {
    const rx = receiver();
    [10, 11, 12].forEach((seq, i) => rx.receive(packet(seq), i * 20));
    expect(rx.receive(packet(30_000), 60)).toEqual({ kind: 'discarded', reason: 'sequence-jump' });
    expect(rx.receive(packet(13), 80)).toMatchObject({ sequence: 13 });
    expect(rx.receive(packet(50_000), 100)).toMatchObject({ kind: 'discarded' });
    expect(rx.receive(packet(50_001), 120)).toMatchObject({ sequence: 14, marker: true, ssrcChanged: false });
    expect(rx.receive(packet(50_002), 140)).toMatchObject({ sequence: 15 });
  });

  it('measures A.8 jitter on audio, in timestamp units, and leaves telephone events out of it', () => {
    const rx = receiver();
    rx.receive(packet(1), 0);
    rx.receive(packet(2), 20);
    expect(rx.jitter.jitter).toBe(0);
    rx.receive(packet(3), 50); // 10 ms late: transit grows by 80 units, jitter moves 1/16 of the way
    expect(rx.jitter.jitter).toBe(5);
    // Event packets repeat one timestamp for 100 ms; fed to A.8 they would look like huge jitter.
    for (let i = 0; i < 5; i++)
      rx.receive(packet(4 + i, { payloadType: EVENTS, timestamp: 640 }), 60 + i * 50);
    expect(rx.jitter.jitter).toBe(5);
  });
});
