// Two ends built from this module talk to each other through text, the way two phones would: Alice offers, Bob
// answers, both derive the same media; then Alice holds and resumes with re-offers (RFC 3264 §8, RFC 6337 §5).
import { describe, expect, it } from 'vitest';
import type { CodecName } from '../../../main/sdp/codecs';
import { createAnswer } from '../../../main/sdp/create-answer';
import { createOffer, holdDirection, resumeDirection } from '../../../main/sdp/create-offer';
import { LocalSessionDescription } from '../../../main/sdp/local-session-description';
import { negotiatedMedia, type NegotiatedMedia } from '../../../main/sdp/negotiated-media';
import { parseSessionDescription } from '../../../main/sdp/parse-session-description';
import type { Direction, SessionDescription } from '../../../main/sdp/session-description';
import { SeededRandom } from '../../support/seeded-random';

const ALICE = { addressType: 'IP4', address: '192.0.2.1' } as const;
const BOB = { addressType: 'IP4', address: '192.0.2.2' } as const;

function read(text: string): SessionDescription {
  const result = parseSessionDescription(text);
  if (!result.ok) throw new Error(result.error.reason);
  return result.value;
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { reason: string } }): T {
  if (!result.ok) throw new Error(result.error.reason);
  return result.value;
}

class End {
  readonly local: LocalSessionDescription;
  last: SessionDescription | undefined;

  constructor(
    seed: number,
    readonly address: typeof ALICE | typeof BOB,
    readonly port: number,
    readonly codecs: readonly CodecName[],
  ) {
    this.local = new LocalSessionDescription(new SeededRandom(seed), address);
  }

  offer(direction: Direction = 'sendrecv'): string {
    const body = createOffer({
      address: this.address,
      port: this.port,
      codecs: this.codecs,
      direction,
      ...(this.last?.media[0] === undefined ? {} : { previous: this.last.media[0] }),
    });
    const described = this.local.describe(body);
    this.last = described.session;
    return described.text;
  }

  answer(offerText: string, direction: Direction = 'sendrecv'): string {
    const body = unwrap(
      createAnswer(read(offerText), {
        address: this.address,
        port: this.port,
        codecs: this.codecs,
        direction,
      }),
    );
    const described = this.local.describe(body);
    this.last = described.session;
    return described.text;
  }
}

/** One offer/answer round: what each end derives from it, and the offer's text. */
function exchange(
  offerer: End,
  answerer: End,
  offererDirection: Direction = 'sendrecv',
  answererDirection: Direction = 'sendrecv',
): { offerer: NegotiatedMedia; answerer: NegotiatedMedia; offer: string } {
  const offer = offerer.offer(offererDirection);
  const answer = answerer.answer(offer, answererDirection);
  return {
    offer,
    offerer: unwrap(negotiatedMedia(read(offer), read(answer), 'offerer')),
    answerer: unwrap(negotiatedMedia(read(answer), read(offer), 'answerer')),
  };
}

function originVersion(text: string): string | undefined {
  return text
    .split('\r\n')
    .find((line) => line.startsWith('o='))
    ?.split(' ')[2];
}

describe('offer/answer between two ends of this module', () => {
  it('agrees on the answerer’s preferred common codec, telephone-event and each other’s addresses', () => {
    const { offerer: alice, answerer: bob } = exchange(
      new End(1, ALICE, 4000, ['opus', 'pcmu']),
      new End(2, BOB, 6000, ['pcmu', 'opus']),
    );
    expect(alice.codec).toMatchObject({ payloadType: 0, name: 'pcmu' });
    expect(bob.codec).toMatchObject({ payloadType: 0, name: 'pcmu' });
    expect(alice.telephoneEvent).toEqual(bob.telephoneEvent);
    expect(alice.telephoneEvent?.clockRate).toBe(8000);
    expect(alice.remoteRtp).toEqual({ address: '192.0.2.2', port: 6000 });
    expect(bob.remoteRtp).toEqual({ address: '192.0.2.1', port: 4000 });
    expect([alice.rtcpMux, bob.rtcpMux]).toEqual([true, true]);
  });

  it('agrees on Opus with telephone-event/48000 when both prefer it', () => {
    const { offerer: alice, answerer: bob } = exchange(
      new End(1, ALICE, 4000, ['opus']),
      new End(2, BOB, 6000, ['opus', 'pcma']),
    );
    expect(alice.codec).toMatchObject({ payloadType: 96, name: 'opus' });
    expect(alice.codec.fmtp).toContain('useinbandfec=1');
    expect(bob.codec.payloadType).toBe(96);
    expect(alice.telephoneEvent).toEqual({ payloadType: 97, clockRate: 48000 });
    expect(bob.telephoneEvent).toEqual({ payloadType: 97, clockRate: 48000 });
  });

  it('holds and resumes with re-offers that keep payload numbers and step the o= version', () => {
    const alice = new End(1, ALICE, 4000, ['opus', 'pcmu', 'pcma']);
    const bob = new End(2, BOB, 6000, ['opus', 'pcmu', 'pcma']);
    const talking = exchange(alice, bob);
    expect([
      talking.offerer.send,
      talking.offerer.receive,
      talking.answerer.send,
      talking.answerer.receive,
    ]).toEqual([true, true, true, true]);

    const held = exchange(alice, bob, holdDirection('sendrecv'));
    expect([held.offerer.send, held.offerer.receive, held.offerer.heldByRemote]).toEqual([
      true,
      false,
      false,
    ]);
    expect([held.answerer.send, held.answerer.receive, held.answerer.heldByRemote]).toEqual([
      false,
      true,
      true,
    ]);
    expect(held.offerer.codec.payloadType).toBe(talking.offerer.codec.payloadType);

    const resumed = exchange(alice, bob, resumeDirection('sendonly'));
    expect([resumed.answerer.send, resumed.answerer.receive, resumed.answerer.heldByRemote]).toEqual([
      true,
      true,
      false,
    ]);

    const versions = [talking.offer, held.offer, resumed.offer].map((text) =>
      BigInt(originVersion(text) ?? '0'),
    );
    expect(versions.map((version) => version - (versions[0] ?? 0n))).toEqual([0n, 1n, 2n]);
  });

  it('goes inactive when both hold, and one-way when one of them resumes', () => {
    const alice = new End(1, ALICE, 4000, ['pcma']);
    const bob = new End(2, BOB, 6000, ['pcma']);
    exchange(alice, bob);
    exchange(alice, bob, holdDirection('sendrecv'));
    // Bob, held (recvonly), holds too: he offers inactive (RFC 6337 §5); Alice, holding, answers inactive.
    const bothHold = exchange(bob, alice, holdDirection('recvonly'), holdDirection('sendrecv'));
    expect([
      bothHold.offerer.send,
      bothHold.offerer.receive,
      bothHold.answerer.send,
      bothHold.answerer.receive,
    ]).toEqual([false, false, false, false]);
    // Bob resumes while Alice still holds: he offers recvonly; Alice answers sendonly and her audio reaches him.
    const bobResumes = exchange(bob, alice, resumeDirection('inactive'), holdDirection('sendrecv'));
    expect([bobResumes.offerer.send, bobResumes.offerer.receive, bobResumes.offerer.heldByRemote]).toEqual([
      false,
      true,
      true,
    ]);
    expect([bobResumes.answerer.send, bobResumes.answerer.receive]).toEqual([true, false]);
  });
});
