import { describe, expect, it } from 'vitest';
import { createOffer, holdDirection } from '../../../main/sdp/create-offer';
import { LocalSessionDescription } from '../../../main/sdp/local-session-description';
import { SeededRandom } from '../../support/seeded-random';

const ADDRESS = { addressType: 'IP4', address: '192.0.2.5' } as const;

function originOf(text: string): string[] {
  const line = text.split('\r\n').find((candidate) => candidate.startsWith('o='));
  return (line ?? '').split(' ');
}

describe('LocalSessionDescription (RFC 3264 §8)', () => {
  it('takes the session id and first version from the injected Random', () => {
    const first = new LocalSessionDescription(new SeededRandom(3), ADDRESS, 'alice');
    const second = new LocalSessionDescription(new SeededRandom(3), ADDRESS, 'alice');
    const other = new LocalSessionDescription(new SeededRandom(4), ADDRESS, 'alice');
    expect(first.sessionId).toBe(second.sessionId);
    expect(first.sessionId).not.toBe(other.sessionId);
    const text = first.describe(createOffer({ address: ADDRESS, port: 4000 })).text;
    expect(originOf(text)).toEqual(['o=alice', first.sessionId, first.sessionId, 'IN', 'IP4', '192.0.2.5']);
  });

  it('keeps the version when the same description is sent again and increments it on any change', () => {
    const local = new LocalSessionDescription(new SeededRandom(5), ADDRESS);
    const start = BigInt(local.version);
    const offer = createOffer({ address: ADDRESS, port: 4000 });
    const versions = [
      local.describe(offer),
      local.describe(offer),
      local.describe(createOffer({ address: ADDRESS, port: 4000, direction: holdDirection('sendrecv') })),
      local.describe(createOffer({ address: ADDRESS, port: 4000, direction: 'sendrecv' })),
      local.describe(createOffer({ address: ADDRESS, port: 4002 })),
    ].map((described) => BigInt(described.session.origin.sessionVersion) - start);
    expect(versions).toEqual([0n, 0n, 1n, 2n, 3n]);
  });
});
