import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXPIRES,
  accountFormFrom,
  accountInputFrom,
  emptyAccountForm,
  formFieldOf,
  isFormDirty,
  sameAccountAs,
  URI_FIELDS,
  validateAccountForm,
  withSipScheme,
} from '../../../renderer/src/lib/account-form';
import { account } from '../support/fake-engine';

describe('account form', () => {
  it('starts a new account at a 600-second registration interval, keep-alive off, no registrar', () => {
    const form = emptyAccountForm();
    expect(DEFAULT_EXPIRES).toBe(600);
    expect(form.expires).toBe('600');
    expect(form.registrar).toBe('');
    expect(form.keepAliveSeconds).toBe('0');
    expect(form.keepAliveKind).toBe('crlf');
  });

  it('adds sip: where the person left it out and the result is a valid URI, and nowhere else', () => {
    expect(withSipScheme('alice@example.com', { requireUser: true })).toBe('sip:alice@example.com');
    expect(withSipScheme('  alice@127.0.0.1:5060 ', { requireUser: true })).toBe('sip:alice@127.0.0.1:5060');
    expect(withSipScheme('192.0.2.10:5060', { requireUser: false })).toBe('sip:192.0.2.10:5060');
    expect(withSipScheme('proxy.example.com', { requireUser: false })).toBe('sip:proxy.example.com');
    // Already a SIP URI, another scheme, or still wrong with sip: in front: nothing to correct.
    expect(withSipScheme('sip:alice@example.com', { requireUser: true })).toBeNull();
    expect(withSipScheme('sips:alice@example.com', { requireUser: true })).toBeNull();
    expect(withSipScheme('tel:+15551234', { requireUser: true })).toBeNull();
    expect(withSipScheme('example.com', { requireUser: true })).toBeNull();
    expect(withSipScheme('alice@', { requireUser: true })).toBeNull();
    expect(withSipScheme('', { requireUser: false })).toBeNull();
  });

  it('sends the new engine fields: registrar (empty → null), keep-alive seconds and kind', () => {
    const form = {
      ...emptyAccountForm(),
      aor: 'sip:alice@example.com',
      registrar: ' sip:registrar.example.com ',
      keepAliveSeconds: ' 30 ',
      keepAliveKind: 'options' as const,
    };
    expect(accountInputFrom(form)).toMatchObject({
      registrar: 'sip:registrar.example.com',
      keepAliveSeconds: 30,
      keepAliveKind: 'options',
      expires: 600,
    });
    expect(accountInputFrom({ ...form, registrar: '  ' }).registrar).toBeNull();
  });

  it('sends a presence list (empty → null), reads it back, and checks it as a SIP URI with a user', () => {
    const base = { ...emptyAccountForm(), aor: 'sip:alice@example.com' };
    expect(emptyAccountForm().presenceListUri).toBe('');
    expect(accountInputFrom({ ...base, presenceListUri: ' sip:friends@example.com ' }).presenceListUri).toBe(
      'sip:friends@example.com',
    );
    expect(accountInputFrom(base).presenceListUri).toBeNull();
    expect(accountFormFrom(account({ id: 'a', presenceListUri: 'sip:f@x.example' })).presenceListUri).toBe(
      'sip:f@x.example',
    );
    expect(accountFormFrom(account({ id: 'a' })).presenceListUri).toBe('');
    expect(validateAccountForm({ ...base, presenceListUri: 'sip:friends@example.com' }).presenceListUri).toBe(
      undefined,
    );
    expect(validateAccountForm({ ...base, presenceListUri: 'sip:example.com' }).presenceListUri).toBeTruthy();
    expect(withSipScheme('friends@example.com', URI_FIELDS.presenceListUri!)).toBe('sip:friends@example.com');
  });

  it('reads the new fields back from a saved account', () => {
    const form = accountFormFrom(
      account({ id: 'a', registrar: 'sip:r.example.com', keepAliveSeconds: 25, keepAliveKind: 'options' }),
    );
    expect(form).toMatchObject({
      registrar: 'sip:r.example.com',
      keepAliveSeconds: '25',
      keepAliveKind: 'options',
    });
  });

  it('checks the registrar as a SIP URI and keep-alive as 0 (off) or 10 to 3600 seconds', () => {
    const base = { ...emptyAccountForm(), aor: 'sip:alice@example.com' };
    expect(validateAccountForm({ ...base, registrar: 'sip:r..x' }).registrar).toBe(
      '"r..x" has an empty part between dots.',
    );
    expect(validateAccountForm({ ...base, registrar: '' }).registrar).toBeUndefined();
    expect(validateAccountForm({ ...base, keepAliveSeconds: '0' }).keepAliveSeconds).toBeUndefined();
    expect(validateAccountForm({ ...base, keepAliveSeconds: '5' }).keepAliveSeconds).toBe(
      'Use 0 to turn keep-alive off, or at least 10 seconds.',
    );
    expect(validateAccountForm({ ...base, keepAliveSeconds: '4000' }).keepAliveSeconds).toBe(
      'Use at most 3600 seconds (one hour).',
    );
    expect(validateAccountForm({ ...base, keepAliveSeconds: 'often' }).keepAliveSeconds).toBe(
      'Enter a whole number of seconds: 0 for off, or 10 to 3600.',
    );
  });

  it('refuses a second account with the same address and outbound proxy, but not the account itself', () => {
    const office = account({
      id: 'a',
      displayName: 'Office',
      aor: 'sip:alice@example.com',
      outboundProxy: null,
    });
    const viaProxy = account({
      id: 'b',
      displayName: 'Via proxy',
      aor: 'sip:alice@example.com',
      outboundProxy: 'sip:192.0.2.10:5060',
    });
    const form = { ...emptyAccountForm(), aor: 'sip:alice@EXAMPLE.com' };
    const others = { accounts: [office, viaProxy], ownId: null };
    expect(validateAccountForm(form, others).aor).toBe(
      'The account “Office” already has this address and outbound proxy.',
    );
    // Before the form adds sip: (on leaving the field), the missing scheme is the problem to show; the clash is
    // found all the same.
    expect(sameAccountAs({ ...form, aor: 'alice@example.com' }, [office], null)?.id).toBe('a');
    expect(validateAccountForm({ ...form, outboundProxy: 'sip:192.0.2.10:5060' }, others).aor).toBe(
      'The account “Via proxy” already has this address and outbound proxy.',
    );
    expect(validateAccountForm({ ...form, outboundProxy: 'sip:192.0.2.99' }, others).aor).toBeUndefined();
    expect(validateAccountForm({ ...form, aor: 'sip:Alice@example.com' }, others).aor).toBeUndefined();
    expect(validateAccountForm(form, { accounts: [office], ownId: 'a' }).aor).toBeUndefined();
    expect(sameAccountAs(form, [office, viaProxy], null)?.id).toBe('a');
  });

  it('tells edited from untouched, ignoring surrounding spaces', () => {
    const saved = accountFormFrom(account({ id: 'a', displayName: 'Office' }));
    expect(isFormDirty(saved, saved)).toBe(false);
    expect(isFormDirty({ ...saved, displayName: ' Office ' }, saved)).toBe(false);
    expect(isFormDirty({ ...saved, displayName: 'Home' }, saved)).toBe(true);
    expect(isFormDirty({ ...saved, password: 'x' }, saved)).toBe(true);
    expect(isFormDirty({ ...saved, transport: 'tcp' }, saved)).toBe(true);
    expect(isFormDirty({ ...saved, keepAliveKind: 'options' }, saved)).toBe(true);
    expect(isFormDirty({ ...saved, enabled: !saved.enabled }, saved)).toBe(true);
  });

  it('counts a new codec order, do-not-disturb and early media as edits, but not an equal copy of the list', () => {
    const saved = accountFormFrom(account({ id: 'a', codecs: ['opus', 'pcmu'] }));
    expect(isFormDirty({ ...saved, codecs: saved.codecs.map((choice) => ({ ...choice })) }, saved)).toBe(
      false,
    );
    expect(isFormDirty({ ...saved, codecs: [...saved.codecs].reverse() }, saved)).toBe(true);
    expect(isFormDirty({ ...saved, doNotDisturb: true }, saved)).toBe(true);
    expect(isFormDirty({ ...saved, earlyMedia: true }, saved)).toBe(true);
  });

  it('refuses a form with every codec off', () => {
    const form = emptyAccountForm();
    const none = form.codecs.map((choice) => ({ ...choice, on: false }));
    expect(validateAccountForm({ ...form, codecs: none }).codecs).toMatch(/at least one codec/);
    expect(validateAccountForm(form).codecs).toBeUndefined();
  });

  it('sends the codecs that are on, in order, with the call switches', () => {
    const form = accountFormFrom(account({ id: 'a', codecs: ['pcma', 'opus'], doNotDisturb: true }));
    expect(accountInputFrom(form)).toMatchObject({
      codecs: ['pcma', 'opus'],
      doNotDisturb: true,
      earlyMedia: false,
    });
  });

  it('maps the engine field names of the new fields to the form', () => {
    expect(formFieldOf('0.registrar')).toBe('registrar');
    expect(formFieldOf('keepAliveSeconds')).toBe('keepAliveSeconds');
    expect(formFieldOf('nonsense')).toBeNull();
  });
});
