// The DTMF transmitter on a manual clock: each digit's packets at their planned offsets with one timestamp, a gap
// between digits, unknown characters skipped, and cancel cutting an event short.
import { describe, expect, it } from 'vitest';
import { DtmfTransmitter } from '../../../../main/media/dtmf/dtmf-transmitter';
import { ManualClock } from '../../../support/manual-clock';

interface Sent {
  readonly at: number;
  readonly event: number;
  readonly end: boolean;
  readonly marker: boolean;
  readonly timestamp: number;
}

function transmitter(): { clock: ManualClock; dtmf: DtmfTransmitter; sent: Sent[]; ended: number[] } {
  const clock = new ManualClock();
  const sent: Sent[] = [];
  const ended: number[] = [];
  let nextTimestamp = 1000;
  const dtmf = new DtmfTransmitter({
    clock,
    clockRate: 8000,
    startTimestamp: () => (nextTimestamp += 1000),
    send: (payload, marker, timestamp) =>
      sent.push({ at: clock.now(), event: payload[0]!, end: (payload[1]! & 0x80) !== 0, marker, timestamp }),
    ended: () => ended.push(clock.now()),
  });
  return { clock, dtmf, sent, ended };
}

describe('DtmfTransmitter', () => {
  it('sends digits one after another, skipping what is not a digit', () => {
    const { clock, dtmf, sent, ended } = transmitter();
    dtmf.enqueue('1x2', 100);
    expect(dtmf.active).toBe(true);
    clock.advance(1_000);
    expect(
      sent.map((packet) => [packet.at, packet.event, packet.end, packet.marker, packet.timestamp]),
    ).toEqual([
      [0, 1, false, true, 2000],
      [50, 1, false, false, 2000],
      [100, 1, true, false, 2000],
      [150, 1, true, false, 2000],
      [200, 1, true, false, 2000],
      // one update interval of audio, then the next digit with its own timestamp
      [250, 2, false, true, 3000],
      [300, 2, false, false, 3000],
      [350, 2, true, false, 3000],
      [400, 2, true, false, 3000],
      [450, 2, true, false, 3000],
    ]);
    expect(ended).toEqual([200, 450]);
    expect(dtmf.active).toBe(false);
  });

  it('queues digits given while one is being sent', () => {
    const { clock, dtmf, sent } = transmitter();
    dtmf.enqueue('3', 100);
    clock.advance(60);
    dtmf.enqueue('4', 100);
    clock.advance(1_000);
    expect(sent.filter((packet) => packet.marker).map((packet) => [packet.at, packet.event])).toEqual([
      [0, 3],
      [250, 4],
    ]);
  });

  it('cancels: no more packets, the queue dropped, and the event reported ended', () => {
    const { clock, dtmf, sent, ended } = transmitter();
    dtmf.enqueue('56', 100);
    clock.advance(60);
    dtmf.cancel();
    expect(ended).toEqual([60]);
    expect(dtmf.active).toBe(false);
    clock.advance(1_000);
    expect(sent).toHaveLength(2);
    expect(clock.pendingTimers()).toBe(0);
  });
});
