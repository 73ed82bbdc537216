// The contract's schemas: every command has one, each accepts what the contract's types describe, and account text
// that could carry a line break or a NUL into a SIP header is refused with the field it came in.
import { describe, expect, it } from 'vitest';
import type { AccountInput } from '../../../main/contract/contract';
import {
  CALL_CODECS,
  CALL_ID_MAX,
  DEFAULT_EXPIRES,
  DISPLAY_NAME_MAX,
  DTMF_DIGITS_MAX,
  EXPIRES_MAX,
  EXPIRES_MIN,
  HISTORY_PAGE_MAX,
  KEEP_ALIVE_MAX,
  REJECT_STATUSES,
  SIP_URI_MAX,
} from '../../../main/contract/limits';
import {
  accountInputSchema,
  codecListSchema,
  commandSchemas,
  isCommandName,
} from '../../../main/contract/schemas';
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

/** The first issue's field path and message for a command's arguments, or undefined when they pass. */
function refusal(
  name: keyof typeof commandSchemas,
  args: unknown[],
): { field: string; message: string } | undefined {
  const parsed = commandSchemas[name].safeParse(args);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  return { field: issue.path.join('.'), message: issue.message };
}

describe('call commands', () => {
  it('dials a SIP URI from an account or directly, trimmed', () => {
    expect(
      commandSchemas['calls.dial'].parse([{ target: ' sip:bob@192.0.2.7:5060 ', accountId: null }]),
    ).toEqual([{ target: 'sip:bob@192.0.2.7:5060', accountId: null }]);
    expect(refusal('calls.dial', [{ target: 'sip:bob@example.test', accountId: 'a1' }])).toBeUndefined();
    expect(refusal('calls.dial', [{ target: 'tel:+15551234', accountId: null }])?.field).toBe('0.target');
    expect(
      refusal('calls.dial', [{ target: `sip:${'b'.repeat(SIP_URI_MAX)}@x`, accountId: null }])?.field,
    ).toBe('0.target');
    expect(refusal('calls.dial', [{ target: 'sip:bob@x\r\nVia: evil', accountId: null }])?.field).toBe(
      '0.target',
    );
    expect(refusal('calls.dial', [{ target: 'sip:bob@x' }])?.field).toBe('0.accountId');
    expect(refusal('calls.dial', [{ target: 'sip:bob@x', accountId: null, video: true }])).toBeDefined();
  });

  it('takes DTMF digits 0-9 * # A-D, upper-casing a-d, up to the limit', () => {
    expect(commandSchemas['calls.sendDtmf'].parse(['c1', '0123456789*#abcd'])).toEqual([
      'c1',
      '0123456789*#ABCD',
    ]);
    for (const digits of ['', '12e', '1 2', '1,2', 'x'.repeat(3), '1'.repeat(DTMF_DIGITS_MAX + 1)])
      expect(refusal('calls.sendDtmf', ['c1', digits]), JSON.stringify(digits)?.slice(0, 20)).toBeDefined();
    expect(refusal('calls.sendDtmf', ['c1', '1'.repeat(DTMF_DIGITS_MAX)])).toBeUndefined();
  });

  it('rejects only with the statuses a refusal can carry', () => {
    for (const status of REJECT_STATUSES) expect(refusal('calls.reject', ['c1', status])).toBeUndefined();
    for (const status of [200, 401, 407, 487, 486.5, 699])
      expect(refusal('calls.reject', ['c1', status]), String(status)).toBeDefined();
  });

  it('transfers blind to a SIP URI or attended to another call', () => {
    expect(
      refusal('calls.transfer', ['c1', { kind: 'blind', target: 'sip:carol@example.test' }]),
    ).toBeUndefined();
    expect(refusal('calls.transfer', ['c1', { kind: 'attended', callId: 'c2' }])).toBeUndefined();
    expect(refusal('calls.transfer', ['c1', { kind: 'blind', target: 'carol' }])?.field).toBe('1.target');
    expect(refusal('calls.transfer', ['c1', { kind: 'attended', callId: '' }])?.field).toBe('1.callId');
    expect(refusal('calls.transfer', ['c1', { kind: 'consult', callId: 'c2' }])).toBeDefined();
    expect(
      refusal('calls.transfer', ['c1', { kind: 'blind', target: 'sip:x@y', callId: 'c2' }]),
    ).toBeDefined();
  });

  it('refuses call ids that are empty, too long or carry control characters', () => {
    expect(refusal('calls.hangup', ['c1'])).toBeUndefined();
    expect(refusal('calls.hangup', [''])).toBeDefined();
    expect(refusal('calls.hangup', ['c'.repeat(CALL_ID_MAX + 1)])).toBeDefined();
    expect(refusal('calls.hangup', ['c1\n'])).toBeDefined();
    expect(refusal('calls.mute', ['c1', 'yes'])?.field).toBe('1');
  });
});

describe('history commands', () => {
  it('pages with a limit and an optional cursor', () => {
    expect(refusal('history.list', [{ limit: 1, before: null }])).toBeUndefined();
    expect(
      refusal('history.list', [{ limit: HISTORY_PAGE_MAX, before: { startedAt: 5, id: 'c1' } }]),
    ).toBeUndefined();
    expect(refusal('history.list', [{ limit: 0, before: null }])?.field).toBe('0.limit');
    expect(refusal('history.list', [{ limit: HISTORY_PAGE_MAX + 1, before: null }])?.field).toBe('0.limit');
    expect(refusal('history.list', [{ limit: 10, before: { startedAt: -1, id: 'c1' } }])?.field).toBe(
      '0.before.startedAt',
    );
    expect(refusal('history.list', [{ limit: 10 }])?.field).toBe('0.before');
  });
});

describe('audio settings', () => {
  it('takes device ids as the browser names them and the three capture switches', () => {
    expect(
      refusal('settings.update', [
        {
          audioInputId: 'a'.repeat(64),
          audioOutputId: 'default',
          audioRingerId: '',
          audioEchoCancellation: false,
          audioNoiseSuppression: true,
          audioAutoGainControl: false,
        },
      ]),
    ).toBeUndefined();
  });

  it('refuses device ids that no browser gives, with the field', () => {
    expect(refusal('settings.update', [{ audioInputId: 'x'.repeat(257) }])?.field).toBe('0.audioInputId');
    expect(refusal('settings.update', [{ audioOutputId: 'two words' }])?.field).toBe('0.audioOutputId');
    expect(refusal('settings.update', [{ audioRingerId: 'bell\u0000' }])?.field).toBe('0.audioRingerId');
    expect(refusal('settings.update', [{ audioEchoCancellation: 1 }])?.field).toBe('0.audioEchoCancellation');
  });
});

describe('account call settings', () => {
  it('are optional, and checked when given', () => {
    expect(fieldOf(accountInput())).toBeUndefined();
    expect(
      fieldOf(accountInput({ register: false, codecs: ['pcma'], earlyMedia: true, doNotDisturb: true })),
    ).toBe(undefined);
    expect(fieldOf({ ...accountInput(), codecs: [] })).toBe('codecs');
    expect(fieldOf({ ...accountInput(), codecs: ['opus', 'opus'] })).toBe('codecs');
    expect(fieldOf({ ...accountInput(), codecs: ['g729'] })).toBe('codecs.0');
    expect(fieldOf({ ...accountInput(), register: 'no' })).toBe('register');
  });

  it('take a presence list as a SIP URI with a user, or null', () => {
    expect(fieldOf(accountInput({ presenceListUri: 'sip:friends@example.test' }))).toBeUndefined();
    expect(fieldOf(accountInput({ presenceListUri: null }))).toBeUndefined();
    expect(fieldOf({ ...accountInput(), presenceListUri: 'friends' })).toBe('presenceListUri');
    expect(fieldOf({ ...accountInput(), presenceListUri: 'sip:example.test' })).toBe('presenceListUri');
  });

  it('offer the codecs the limits name', () => {
    expect(codecListSchema.parse([...CALL_CODECS])).toEqual(['opus', 'pcmu', 'pcma']);
  });
});
