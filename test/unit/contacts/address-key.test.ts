// Lookup keys: SIP addresses compared by user and host, numbers by digits and last digits, and the keys a peer's URI
// gives (a tel: URI, a SIP URI whose user is a number).
import { describe, expect, it } from 'vitest';
import { PHONE_TAIL_DIGITS, peerKeys, phoneKey, sipAddressKey } from '../../../main/contacts/address-key';

describe('sipAddressKey', () => {
  it('lower-cases scheme and host, keeps the user, drops parameters, headers and passwords', () => {
    const key = 'sip:Bob@example.test';
    expect(sipAddressKey('sip:Bob@example.test')).toBe(key);
    expect(sipAddressKey('SIP:Bob@EXAMPLE.Test;transport=tcp?subject=hi')).toBe(key);
    expect(sipAddressKey('sip:Bob:secret@example.test')).toBe(key);
    expect(sipAddressKey('sips:Bob@example.test')).toBe(key);
    expect(sipAddressKey(' <sip:Bob@example.test> ')).toBe(key);
    expect(sipAddressKey('sip:bob@example.test')).not.toBe(key);
  });

  it('unescapes the user as RFC 3261 §19.1.4 compares it, and keeps a port', () => {
    expect(sipAddressKey('sip:%42ob@example.test')).toBe('sip:Bob@example.test');
    expect(sipAddressKey('sip:bob@example.test:5070')).toBe('sip:bob@example.test:5070');
    expect(sipAddressKey('sip:example.test')).toBe('sip:example.test');
    expect(sipAddressKey('sip:[2001:DB8::1]')).toBe('sip:[2001:db8::1]');
  });

  it('gives no key for what is not a SIP URI', () => {
    for (const text of ['tel:+1555', 'bob@example.test', 'sip:bad user@example.test', '', 'mailto:a@b'])
      expect(sipAddressKey(text), text).toBeUndefined();
  });
});

describe('phoneKey', () => {
  it('keeps the dialable characters and the last digits of a long number', () => {
    expect(phoneKey('+44 (0)20 7946-0000')).toEqual({ digits: '440207946' + '0000', tail: '79460000' });
    expect(phoneKey('*86#')).toEqual({ digits: '*86#', tail: null });
    expect(phoneKey('201')).toEqual({ digits: '201', tail: null });
    expect(phoneKey('12345678').tail).toHaveLength(PHONE_TAIL_DIGITS);
  });
});

describe('peerKeys', () => {
  it('gives a SIP key, and a number when the user part is one', () => {
    expect(peerKeys('sip:bob@example.test')).toEqual({ sip: 'sip:bob@example.test', phone: null });
    expect(peerKeys('sip:+442079460000@gw.example.test;user=phone')).toEqual({
      sip: 'sip:+442079460000@gw.example.test',
      phone: { digits: '442079460000', tail: '79460000' },
    });
    expect(peerKeys('sip:020-7946-0000@pbx.example.test').phone).toEqual({
      digits: '02079460000',
      tail: '79460000',
    });
    expect(peerKeys('sip:201@pbx.example.test').phone).toEqual({ digits: '201', tail: null });
  });

  it('reads a tel: URI as a number only', () => {
    expect(peerKeys('tel:+44-20-7946-0000;ext=1')).toEqual({
      sip: null,
      phone: { digits: '442079460000', tail: '79460000' },
    });
  });

  it('gives nothing for what it cannot read', () => {
    expect(peerKeys('not a uri')).toEqual({ sip: null, phone: null });
    expect(peerKeys('mailto:bob@example.test')).toEqual({ sip: null, phone: null });
  });
});
