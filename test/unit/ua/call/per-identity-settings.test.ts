// Early media and do-not-disturb decided per identity (the engine's accounts share a user agent and each has its own
// settings): the usage asks with the request factory of the identity an INVITE is for.
import { afterEach, describe, expect, it } from 'vitest';
import type { AutoRejected } from '../../../../main/ua/call/call-usage';
import type { RequestFactory } from '../../../../main/ua/request-factory';
import { type UaPair, startUaPair } from '../../../support/ua-pair';

let pair: UaPair | undefined;

afterEach(async () => {
  await pair?.close();
  pair = undefined;
});

describe('per-identity call settings', () => {
  it('doNotDisturbFor refuses at once with 486, naming the identity, and lets calls through when it says no', async () => {
    let refuse = true;
    const asked: RequestFactory[] = [];
    pair = await startUaPair({
      bob: {
        doNotDisturbFor: (requests) => {
          asked.push(requests);
          return refuse;
        },
      },
    });
    const refused: AutoRejected[] = [];
    pair.bob.calls.onAutoRejected((rejected) => refused.push(rejected));
    const first = pair.alice.calls.dial(pair.bob.uri);
    const states: string[] = [];
    first.on('state', ({ to }) => states.push(to));
    await pair.settle();
    // No 180 first and no media port: the caller goes straight from calling to ended.
    expect(states).toEqual(['ended']);
    expect(first.end).toMatchObject({ reason: 'busy', status: 486 });
    expect(pair.bob.media.ports).toHaveLength(0);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.requests).toBe(asked[0]);

    refuse = false;
    const second = pair.alice.calls.dial(pair.bob.uri);
    await pair.settle();
    expect(pair.bob.incoming).toHaveLength(1);
    expect(pair.bob.incoming[0]!.requests).toBe(asked[1]);
    expect(second.state).toBe('early');
  });

  it('earlyMedia as a function answers 183 with SDP for the identities it names', async () => {
    let early = true;
    pair = await startUaPair({ bob: { earlyMedia: () => early } });
    const withMedia = pair.alice.calls.dial(pair.bob.uri);
    await pair.settle();
    expect(withMedia.media).toBeDefined();
    early = false;
    const plain = pair.alice.calls.dial(pair.bob.uri);
    await pair.settle();
    expect(plain.state).toBe('early');
    expect(plain.media).toBeUndefined();
  });
});
