// Property-based fuzzing of the SDP parser and of the offer/answer code behind it, with a fixed seed. Random text,
// the fixtures and mutations of them (lines dropped, duplicated, swapped, characters flipped, SDP-looking junk
// inserted) must never throw: every input gives a parsed model or an error with a reason and 400/488. Whatever
// parses is written back and must parse again, and must be answerable without a throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createAnswer } from '../../../main/sdp/create-answer';
import { LocalSessionDescription } from '../../../main/sdp/local-session-description';
import { negotiatedMedia } from '../../../main/sdp/negotiated-media';
import { parseSessionDescription } from '../../../main/sdp/parse-session-description';
import { serializeSessionDescription } from '../../../main/sdp/serialize-session-description';
import { SeededRandom } from '../../support/seeded-random';
import * as fixtures from './fixtures';

const SEED = 3264;
const RUNS = 2000;
const ADDRESS = { addressType: 'IP4', address: '192.0.2.5' } as const;

const FIXTURES = Object.values(fixtures).filter((value): value is string => typeof value === 'string');

const junkLine = fc.oneof(
  fc.constantFrom(
    'a=rtpmap:96 opus/48000/2',
    'a=rtpmap:96',
    'a=rtpmap:300 PCMU/8000',
    'a=fmtp:96 useinbandfec=1',
    'a=rtcp:0',
    'a=rtcp:9 IN IP7 x',
    'a=rtcp-mux',
    'a=ptime:0',
    'a=maxptime:99999999999',
    'a=sendonly',
    'c=IN IP4 0.0.0.0',
    'c=IN IP6 ::',
    'c=IN IP4 1.2.3',
    'c=TN RFC2543 x',
    'm=audio 0 RTP/AVP 0',
    'm=audio 65536 RTP/AVP 0',
    'm=audio 5000 RTP/AVP 127 0 8',
    'm=video 5000 RTP/AVPF 96',
    'm=audio 5000/3 RTP/AVP 0',
    'o=- 99999999999999999999999 1 IN IP4 x.example',
    'o=',
    'v=1',
  ),
  fc.string({ maxLength: 40 }).map((text) => `a=${text}`),
  fc
    .tuple(fc.constantFrom(...'vosctmab'), fc.string({ maxLength: 40 }))
    .map(([type, text]) => `${type}=${text}`),
);

type Mutation = (lines: string[]) => string[];
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.nat(40).map(
    (at): Mutation =>
      (lines) =>
        lines.filter((_, index) => index !== at % Math.max(lines.length, 1)),
  ),
  fc.nat(40).map((at): Mutation => (lines) => {
    const index = at % Math.max(lines.length, 1);
    return [...lines.slice(0, index), lines[index] ?? '', ...lines.slice(index)];
  }),
  fc.tuple(fc.nat(40), junkLine).map(([at, line]): Mutation => (lines) => {
    const index = at % (lines.length + 1);
    return [...lines.slice(0, index), line, ...lines.slice(index)];
  }),
  fc.tuple(fc.nat(40), fc.nat(200), fc.string({ minLength: 1, maxLength: 1 })).map(
    ([at, column, char]): Mutation =>
      (lines) =>
        lines.map((line, index) =>
          index === at % Math.max(lines.length, 1)
            ? line.slice(0, column) + char + line.slice(column + 1)
            : line,
        ),
  ),
);

const mutatedFixture = fc
  .tuple(fc.constantFrom(...FIXTURES), fc.array(mutation, { minLength: 1, maxLength: 5 }))
  .map(([text, mutations]) =>
    mutations.reduce((lines, mutate) => mutate(lines), text.split('\r\n')).join('\r\n'),
  );

const anyInput = fc.oneof(
  mutatedFixture,
  fc.string({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }),
  fc.array(junkLine, { maxLength: 20 }).map((lines) => ['v=0', ...lines].join('\r\n')),
);

describe('SDP fuzzing', () => {
  it('never throws, and every refusal carries a reason and 400 or 488', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const result = parseSessionDescription(input);
        if (!result.ok) {
          expect([400, 488]).toContain(result.error.status);
          expect(result.error.reason.length).toBeGreaterThan(0);
          // The catch-all is a safety net: reaching it means a check is missing.
          expect(result.error.reason).not.toMatch(/^SDP could not be read/);
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('writes back whatever it parsed so that it parses again, and answers it without a throw', () => {
    let parsedCount = 0;
    fc.assert(
      fc.property(mutatedFixture, (input) => {
        const first = parseSessionDescription(input);
        if (!first.ok) return;
        parsedCount += 1;
        const again = parseSessionDescription(serializeSessionDescription(first.value));
        expect(again.ok ? 'ok' : again.error.reason).toBe('ok');
        const answer = createAnswer(first.value, { address: ADDRESS, port: 4000 });
        if (!answer.ok) {
          expect(answer.error.status).toBe(488);
          return;
        }
        const local = new LocalSessionDescription(new SeededRandom(1), ADDRESS).describe(
          answer.value,
        ).session;
        const negotiated = negotiatedMedia(local, first.value, 'answerer');
        // Our own answer always contains a codec, so only an unusable address on their side can fail here.
        if (!negotiated.ok) expect(negotiated.error.status).toBe(488);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The mutations must leave enough bodies intact for the round trip to be exercised.
    expect(parsedCount).toBeGreaterThan(RUNS / 10);
  });
});
