// The codec preference list of the account editor: built from an account's codecs, moved, toggled (never to none)
// and turned back into the engine's ordered list.
import { describe, expect, it } from 'vitest';
import {
  codecChoices,
  enabledCodecs,
  isLastOn,
  moveCodec,
  toggleCodec,
} from '../../../renderer/src/lib/codec-order';

describe('codec order', () => {
  it('puts the codecs on first, in their order, then the others off', () => {
    expect(codecChoices(['pcma', 'opus'])).toEqual([
      { codec: 'pcma', on: true },
      { codec: 'opus', on: true },
      { codec: 'pcmu', on: false },
    ]);
  });

  it('ignores repeats and codecs this window does not know', () => {
    const unknown = ['pcmu', 'pcmu', 'g729'] as unknown as Parameters<typeof codecChoices>[0];
    expect(enabledCodecs(codecChoices(unknown))).toEqual(['pcmu']);
  });

  it('moves a codec up and down, and not past either end', () => {
    const list = codecChoices(['opus', 'pcmu', 'pcma']);
    expect(enabledCodecs(moveCodec(list, 2, -1))).toEqual(['opus', 'pcma', 'pcmu']);
    expect(enabledCodecs(moveCodec(list, 0, 1))).toEqual(['pcmu', 'opus', 'pcma']);
    expect(moveCodec(list, 0, -1)).toEqual(list);
    expect(moveCodec(list, 2, 1)).toEqual(list);
    expect(moveCodec(list, 7, -1)).toEqual(list);
  });

  it('turns codecs off and on, keeping their place, but never the last one off', () => {
    const list = codecChoices(['opus', 'pcmu']);
    const withoutOpus = toggleCodec(list, 0, false);
    expect(enabledCodecs(withoutOpus)).toEqual(['pcmu']);
    expect(withoutOpus[0]).toEqual({ codec: 'opus', on: false });
    expect(isLastOn(withoutOpus, 1)).toBe(true);
    expect(toggleCodec(withoutOpus, 1, false)).toEqual(withoutOpus);
    expect(enabledCodecs(toggleCodec(withoutOpus, 2, true))).toEqual(['pcmu', 'pcma']);
  });
});
