// The key conversations are found by: one per person however their address is spelled, per RFC 3261 §19.1.4.
import { describe, expect, it } from 'vitest';
import { peerKey, withoutPassword } from '../../../main/messaging/peer-key';

describe('peerKey', () => {
  it('lower-cases scheme and host, keeps the user as written and the port, drops parameters, headers and password', () => {
    expect(peerKey('SIP:Bob@Example.COM')).toBe('sip:Bob@example.com');
    expect(peerKey(' sip:bob@example.com;transport=tcp?subject=hi ')).toBe('sip:bob@example.com');
    expect(peerKey('sip:bob:secret@example.com:5080;user=phone')).toBe('sip:bob@example.com:5080');
    expect(peerKey('sips:bob@example.com')).toBe('sips:bob@example.com');
    expect(peerKey('sip:[2001:DB8::1]:5060')).toBe('sip:[2001:db8::1]:5060');
  });

  it('tells apart what RFC 3261 tells apart: the user part, an explicit port, sips', () => {
    const keys = new Set(
      ['sip:bob@example.com', 'sip:Bob@example.com', 'sip:bob@example.com:5060', 'sips:bob@example.com'].map(
        peerKey,
      ),
    );
    expect(keys.size).toBe(4);
  });

  it('escapes the user part the same way however it was escaped', () => {
    expect(peerKey('sip:b%6Fb@example.com')).toBe(peerKey('sip:bob@example.com'));
  });

  it('keys a tel: peer by its number, and refuses anything else', () => {
    expect(peerKey('tel:+44-20-7946-0000;phone-context=example.com')).toBe('tel:+44-20-7946-0000');
    expect(peerKey('mailto:bob@example.com')).toBeNull();
    expect(peerKey('bob')).toBeNull();
    expect(peerKey('')).toBeNull();
  });
});

describe('withoutPassword', () => {
  it('drops the password of the userinfo and keeps the rest as written (RFC 3261 §19.1.1)', () => {
    expect(withoutPassword('sip:bob:secret@Example.com:5080;transport=tcp')).toBe(
      'sip:bob@Example.com:5080;transport=tcp',
    );
    expect(withoutPassword('sips:bob:@example.com')).toBe('sips:bob@example.com');
    expect(withoutPassword('sip:b%6Fb:p%40ss@example.com')).toBe('sip:bob@example.com');
  });

  it('returns an address without a password, or that is no SIP URI, unchanged', () => {
    for (const address of ['sip:Bob@Example.COM;lr', 'sip:example.com', 'tel:+1-555-0100', 'bob', ''])
      expect(withoutPassword(address)).toBe(address);
  });
});
