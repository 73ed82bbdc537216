// The contract's schemas: every command has one, each accepts what the contract's types describe, and account text
// that could carry a line break or a NUL into a SIP header is refused with the field it came in.
import { describe, expect, it } from 'vitest';
import type { AccountInput } from '../../../main/contract/contract';
import {
  DEFAULT_EXPIRES,
  DISPLAY_NAME_MAX,
  EXPIRES_MAX,
  EXPIRES_MIN,
  KEEP_ALIVE_MAX,
} from '../../../main/contract/limits';
import { accountInputSchema, commandSchemas, isCommandName } from '../../../main/contract/schemas';
import { commandNames } from '../../../main/contract/softphone-api';
import { accountInput } from '../../support/fake-engine';

function fieldOf(input: unknown): string | undefined {
  const parsed = accountInputSchema.safeParse(input);
  if (parsed.success) return undefined;
  return parsed.error.issues[0]?.path.join('.');
}

describe('commandSchemas', () => {
  it('has one schema per command name, and nothing else', () => {
    expect(Object.keys(commandSchemas).sort()).toEqual([...commandNames].sort());
    expect(isCommandName('accounts.create')).toBe(true);
    expect(isCommandName('toString')).toBe(false);
  });

  it('accepts a complete account and trims its text', () => {
    const parsed = accountInputSchema.parse(
      accountInput({ displayName: '  Alice  ', registrar: ' sip:r.test ' }),
    );
    expect(parsed).toMatchObject({ displayName: 'Alice', registrar: 'sip:r.test', expires: DEFAULT_EXPIRES });
  });

  it('requires the registrar and keep-alive fields', () => {
    const { registrar: _registrar, ...withoutRegistrar } = accountInput();
    expect(fieldOf(withoutRegistrar)).toBe('registrar');
    expect(fieldOf({ ...accountInput(), keepAliveKind: 'ping' })).toBe('keepAliveKind');
    expect(fieldOf({ ...accountInput(), keepAliveSeconds: -1 })).toBe('keepAliveSeconds');
    expect(fieldOf({ ...accountInput(), keepAliveSeconds: KEEP_ALIVE_MAX + 1 })).toBe('keepAliveSeconds');
    expect(fieldOf({ ...accountInput(), keepAliveSeconds: 25, keepAliveKind: 'options' })).toBeUndefined();
  });

  it('holds the shared limits', () => {
    expect(fieldOf(accountInput({ expires: EXPIRES_MIN - 1 }))).toBe('expires');
    expect(fieldOf(accountInput({ expires: EXPIRES_MAX + 1 }))).toBe('expires');
    expect(fieldOf(accountInput({ displayName: 'x'.repeat(DISPLAY_NAME_MAX + 1) }))).toBe('displayName');
  });

  const controls = ['\r', '\n', '\r\n', '\u0000', '\t', '\u001b', '\u007f'];
  const fields: (keyof AccountInput)[] = ['displayName', 'authUser', 'aor', 'outboundProxy', 'registrar'];
  for (const field of fields) {
    it(`refuses control characters in ${field}`, () => {
      for (const control of controls) {
        const base =
          field === 'aor' ? 'sip:alice@example.test' : field === 'displayName' ? 'Alice' : 'sip:x.test';
        const value = field === 'authUser' ? `alice${control}x` : `${base}${control}x`;
        expect(fieldOf({ ...accountInput(), [field]: value }), JSON.stringify(control)).toBe(field);
      }
    });
  }

  it('refuses an address without a user part and text that is not a SIP URI', () => {
    expect(fieldOf(accountInput({ aor: 'sip:example.test' }))).toBe('aor');
    expect(fieldOf(accountInput({ outboundProxy: 'http://proxy' }))).toBe('outboundProxy');
    expect(fieldOf(accountInput({ registrar: '' }))).toBe('registrar');
  });

  it('refuses unknown fields, so nothing unchecked rides along', () => {
    expect(fieldOf({ ...accountInput(), admin: true })).toBe('');
  });
});
