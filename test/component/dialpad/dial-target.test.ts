// What the dialpad's text becomes: numbers and bare names at the account's domain, addresses with their scheme.
import { describe, expect, it } from 'vitest';
import { accountDomain, dialTarget } from '../../../renderer/src/features/dialpad/dial-target';

describe('dialTarget', () => {
  it('calls a number at the account domain, without the separators people type', () => {
    expect(dialTarget(' +49 (30) 123-45.67 ', 'example.com')).toEqual({
      ok: true,
      uri: 'sip:+49301234567@example.com',
    });
    expect(dialTarget('100', 'pbx.test:5070')).toEqual({ ok: true, uri: 'sip:100@pbx.test:5070' });
  });

  it('escapes # in a number', () => {
    expect(dialTarget('*21#', 'example.com')).toEqual({ ok: true, uri: 'sip:*21%23@example.com' });
  });

  it('takes tel: links, user@host and full SIP addresses', () => {
    expect(dialTarget('tel:+1-555-0100;phone-context=x', 'example.com')).toEqual({
      ok: true,
      uri: 'sip:+15550100@example.com',
    });
    expect(dialTarget('bob@example.org', null)).toEqual({ ok: true, uri: 'sip:bob@example.org' });
    expect(dialTarget('sip:bob@192.0.2.7:5060', null)).toEqual({ ok: true, uri: 'sip:bob@192.0.2.7:5060' });
    expect(dialTarget('alice', 'example.com')).toEqual({ ok: true, uri: 'sip:alice@example.com' });
  });

  it('explains what to fix', () => {
    expect(dialTarget('', 'example.com')).toEqual({ ok: false, problem: 'Type a number or a SIP address.' });
    const noAccount = dialTarget('100', null);
    expect(noAccount.ok).toBe(false);
    expect(!noAccount.ok && noAccount.problem).toContain('Choose an account');
    const bad = dialTarget('sip:bob@exa mple.com', null);
    expect(bad.ok).toBe(false);
    expect(dialTarget('x'.repeat(600), 'example.com').ok).toBe(false);
  });

  it('reads the domain of an address of record', () => {
    expect(accountDomain('sip:alice@example.com:5070;transport=tcp')).toBe('example.com:5070');
    expect(accountDomain('sip:example.com')).toBeNull();
  });
});
