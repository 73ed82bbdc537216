// The small pure parts of the call usage: the state table, end reasons, the §14.1 back-off, INFO DTMF bodies, and
// the SDP half of a media port.
import { describe, expect, it } from 'vitest';
import { CALL_TRANSITIONS, canTransition, endReasonForStatus } from '../../../../main/ua/call/call-state';
import { formatDtmfRelay, parseDtmfInfo } from '../../../../main/ua/call/dtmf-relay';
import { glareDelay } from '../../../../main/ua/call/glare';
import { SdpMediaPort } from '../../../../main/ua/call/sdp-media-port';
import type { Random } from '../../../../main/platform/random';
import { PCMU_ANSWER, PCMU_OFFER } from '../../../support/scripted-peer';
import { SeededRandom } from '../../../support/seeded-random';

function fixed(fraction: number): Random {
  const inner = new SeededRandom(1);
  return { bytes: (n) => inner.bytes(n), token: (n) => inner.token(n), fraction: () => fraction };
}

describe('call state table', () => {
  it('lets every state but ended reach ended, and nothing leave ended', () => {
    for (const [state, targets] of Object.entries(CALL_TRANSITIONS)) {
      if (state === 'ended') expect(targets).toEqual([]);
      else expect(targets).toContain('ended');
    }
  });

  it('refuses moves the diagram does not draw', () => {
    expect(canTransition('idle', 'calling')).toBe(true);
    expect(canTransition('ringing', 'connecting')).toBe(true);
    expect(canTransition('connected', 'ringing')).toBe(false);
    expect(canTransition('incoming', 'early')).toBe(false);
    expect(canTransition('ending', 'connected')).toBe(false);
  });
});

describe('endReasonForStatus', () => {
  it('maps final failures to codes, and the layer’s own 408/503 to no-answer/unreachable', () => {
    expect(endReasonForStatus(486, false)).toBe('busy');
    expect(endReasonForStatus(600, false)).toBe('busy');
    expect(endReasonForStatus(603, false)).toBe('declined');
    expect(endReasonForStatus(606, false)).toBe('media-refused');
    expect(endReasonForStatus(415, false)).toBe('media-refused');
    expect(endReasonForStatus(480, false)).toBe('unavailable');
    expect(endReasonForStatus(503, false)).toBe('server-error');
    expect(endReasonForStatus(503, true)).toBe('unreachable');
    expect(endReasonForStatus(408, true)).toBe('no-answer');
    expect(endReasonForStatus(499, false)).toBe('failed');
  });
});

describe('glareDelay (§14.1)', () => {
  it('is 2.1-4 s in 10 ms steps for the Call-ID owner and 0-2 s for the other end', () => {
    expect(glareDelay(true, fixed(0))).toBe(2_100);
    expect(glareDelay(true, fixed(0.999999))).toBe(4_000);
    expect(glareDelay(false, fixed(0))).toBe(0);
    expect(glareDelay(false, fixed(0.999999))).toBe(2_000);
    expect(glareDelay(true, fixed(0.5)) % 10).toBe(0);
  });
});

describe('INFO DTMF bodies', () => {
  it('reads application/dtmf-relay and application/dtmf, and writes dtmf-relay', () => {
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal=5\r\nDuration=160\r\n')).toEqual({
      digit: '5',
      durationMs: 160,
    });
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal= *\nDuration= 250')).toEqual({
      digit: '*',
      durationMs: 250,
    });
    expect(parseDtmfInfo('application/dtmf-relay', 'signal=a')).toEqual({ digit: 'A', durationMs: 160 });
    expect(parseDtmfInfo('application/dtmf', ' 9 \r\n')).toEqual({ digit: '9', durationMs: 160 });
    expect(formatDtmfRelay({ digit: '#', durationMs: 100 })).toBe('Signal=#\r\nDuration=100\r\n');
  });

  it('refuses what is not one digit with a sane duration, and never throws', () => {
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal=55')).toBeUndefined();
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal=E')).toBeUndefined();
    expect(parseDtmfInfo('application/dtmf-relay', 'Duration=100')).toBeUndefined();
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal=1\nDuration=0')).toBeUndefined();
    expect(parseDtmfInfo('application/dtmf-relay', 'Signal=1\nDuration=99999')).toBeUndefined();
    expect(parseDtmfInfo('application/dtmf-relay', `Signal=1\n${'x'.repeat(300)}`)).toBeUndefined();
    expect(parseDtmfInfo('text/plain', 'Signal=1')).toBeUndefined();
  });
});

describe('SdpMediaPort', () => {
  function port() {
    const log: string[] = [];
    const media = new SdpMediaPort(
      { address: { addressType: 'IP4', address: '10.0.0.1' }, rtpPort: 4000, codecs: ['pcmu'] },
      { start: () => log.push('start'), update: () => log.push('update'), stop: () => log.push('stop') },
      new SeededRandom(3),
    );
    return { media, log };
  }

  it('offers, then takes the answer to that offer; an answer with no offer of ours is refused', () => {
    const { media } = port();
    expect(media.acceptAnswer(PCMU_ANSWER)).toMatchObject({ ok: false, error: { status: 488 } });
    const offer = media.createOffer({ hold: false });
    expect(offer).toContain('m=audio 4000 RTP/AVP 0');
    expect(media.acceptAnswer(PCMU_ANSWER)).toMatchObject({ ok: true, value: { codec: { name: 'pcmu' } } });
  });

  it('after rollback() the withdrawn offer takes no answer, and the next offer keeps the o= line rising', () => {
    const { media } = port();
    const first = media.createOffer({ hold: false });
    media.acceptAnswer(PCMU_ANSWER);
    const hold = media.createOffer({ hold: true });
    expect(hold).toContain('a=sendonly');
    media.rollback();
    const again = media.createOffer({ hold: true });
    const version = (text: string) => Number(/o=- \d+ (\d+)/.exec(text)![1]);
    expect(version(hold)).toBe(version(first) + 1);
    expect(version(again)).toBe(version(hold));
  });

  it('answers an offer with the status to refuse it when it cannot', () => {
    const { media } = port();
    expect(media.createAnswer('nonsense', { hold: false })).toMatchObject({
      ok: false,
      error: { status: 400 },
    });
    const answer = media.createAnswer(PCMU_OFFER, { hold: true });
    expect(answer.ok && answer.value.sdp).toContain('a=sendonly');
    expect(answer.ok && answer.value.media.send).toBe(true);
  });
});
