// The words about calls: states with the talk time, end reasons, hostile far-end text, quality bands and details.
import { describe, expect, it } from 'vitest';
import { CALL_END_REASONS } from '../../../main/contract/limits';
import {
  callErrorText,
  callStateText,
  cleanPeerText,
  endText,
  formatBufferDelay,
  formatCount,
  formatDuration,
  historyKind,
  PEER_TEXT_MAX,
  peerTitle,
  qualityLevel,
  spokenDuration,
} from '../../../renderer/src/lib/call-text';
import { call, historyEntry } from '../support/fake-engine';

describe('call-text', () => {
  it('words every state, and a connected call with its talk time', () => {
    const answeredAt = 1_700_000_000_000;
    expect(callStateText(call({ id: 'c', state: 'dialing' }), 0)).toBe('Calling…');
    expect(callStateText(call({ id: 'c', state: 'ringing' }), 0)).toBe('Ringing');
    expect(callStateText(call({ id: 'c', state: 'on-hold' }), 0)).toBe('On hold');
    expect(callStateText(call({ id: 'c', state: 'held-by-remote' }), 0)).toBe('Held by the other side');
    expect(callStateText(call({ id: 'c', state: 'transferring' }), 0)).toBe('Transferring');
    expect(callStateText(call({ id: 'c', state: 'connected', answeredAt }), answeredAt + 83_400)).toBe(
      'Connected 01:23',
    );
  });

  it('formats durations on a clock and in words', () => {
    expect(formatDuration(0)).toBe('00:00');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(-5)).toBe('00:00');
    // A number never wraps away from its unit (a narrow history row once showed "3" and "s" on two lines).
    expect(spokenDuration(83_000)).toBe('1\u00a0min 23\u00a0s');
    expect(spokenDuration(45_000)).toBe('45\u00a0s');
    expect(spokenDuration(7_500_000)).toBe('2\u00a0h 5\u00a0min');
  });

  it('has words for every end reason, and says who hung up', () => {
    for (const reason of CALL_END_REASONS) {
      expect(endText({ by: 'error', reason, status: null, detail: null }, 'outgoing')).toMatch(/\S/u);
    }
    expect(endText({ by: 'remote', reason: 'hangup', status: null, detail: null }, 'outgoing')).toBe(
      'The other side hung up',
    );
    expect(endText({ by: 'remote', reason: 'busy', status: 486, detail: null }, 'outgoing')).toBe('Busy');
  });

  it('strips controls and bidirectional overrides from far-end text and bounds its length', () => {
    // U+202E would show "gpj.exe" as "exe.jpg"; a newline would break the one-line layout.
    expect(cleanPeerText('Bob\u202Egpj.exe\nEvil\u0007')).toBe('Bob gpj.exe Evil');
    expect(cleanPeerText('\u2066Alice\u2069\u200F')).toBe('Alice');
    const long = cleanPeerText('x'.repeat(10_000));
    expect([...long]).toHaveLength(PEER_TEXT_MAX);
    expect(long.endsWith('…')).toBe(true);
  });

  it('falls back to the address when the name is empty after cleaning', () => {
    expect(peerTitle({ peerName: '\u202E\u0000 ', peerUri: 'sip:bob@example.com' })).toBe('bob@example.com');
    expect(peerTitle({ peerName: 'Bob', peerUri: 'sip:bob@example.com' })).toBe('Bob');
  });

  it('sorts history into incoming, outgoing and missed', () => {
    expect(historyKind(historyEntry({ id: 'h' }))).toBe('outgoing');
    expect(historyKind(historyEntry({ id: 'h', direction: 'incoming' }))).toBe('incoming');
    expect(
      historyKind(
        historyEntry({
          id: 'h',
          direction: 'incoming',
          answeredAt: null,
          end: { by: 'remote', reason: 'missed', status: null, detail: null },
        }),
      ),
    ).toBe('missed');
  });

  it('bands MOS estimates', () => {
    expect(qualityLevel(4.3)).toBe('good');
    expect(qualityLevel(3.8)).toBe('fair');
    expect(qualityLevel(2.5)).toBe('poor');
    expect(qualityLevel(null)).toBe('unknown');
  });

  it('words the jitter buffer beside its target, and frame counts with grouped thousands', () => {
    expect(formatBufferDelay(40, 62.4)).toBe('40 ms, aiming for 62 ms');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(12_345)).toBe('12,345');
    expect(formatCount(Number.NaN)).toBe('0');
  });

  it('words a failed command with what did not happen and keeps the engine text as detail', () => {
    expect(callErrorText('hold', { code: 'conflict', message: 'call is ringing' })).toEqual({
      text: 'The call could not be put on hold: that cannot be done in the call’s current state.',
      detail: 'call is ringing',
    });
  });
});
