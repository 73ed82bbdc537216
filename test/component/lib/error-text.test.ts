// A failed command's words come from the window: chosen by code and field, with the engine's message as detail.
import { describe, expect, it } from 'vitest';
import { commandErrorText, errorField } from '../../../renderer/src/lib/error-text';

describe('commandErrorText', () => {
  it('words a duplicate account by its field, keeping the engine message as detail', () => {
    expect(
      commandErrorText({
        code: 'conflict',
        field: 'aor',
        message: 'An account for sip:alice@example.test through the same proxy already exists.',
      }),
    ).toEqual({
      text: 'An account with this address and outbound proxy already exists.',
      detail: 'An account for sip:alice@example.test through the same proxy already exists.',
    });
  });

  it('falls back to the code, and drops a detail that repeats the text', () => {
    expect(commandErrorText({ code: 'not-found', message: 'That account no longer exists.' })).toEqual({
      text: 'That account no longer exists.',
      detail: null,
    });
    expect(commandErrorText({ code: 'unavailable', message: 'store closed' }).text).toBe(
      'The app cannot do that right now.',
    );
  });

  it('reads the field without the argument position', () => {
    expect(errorField({ code: 'invalid-argument', field: '0.displayName', message: 'x' })).toBe(
      'displayName',
    );
    expect(errorField({ code: 'internal', message: 'x' })).toBeNull();
  });
});
