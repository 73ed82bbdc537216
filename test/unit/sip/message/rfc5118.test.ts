// RFC 5118 IPv6 torture test messages for SIP, one test per message.
import { describe, expect, it } from 'vitest';
import { bareHost, formatUri, isSipUri, sipUriEquals } from '../../../../main/sip/message/uri';
import type { SipUri, Uri } from '../../../../main/sip/message/uri';
import { checksumMismatches, checksumNames, fixtureNames, parsedRequest, rejected } from './torture-fixtures';

const SET = 'rfc5118';
const request = (name: string) => parsedRequest(SET, name);

function sip(uri: Uri): SipUri {
  if (!isSipUri(uri)) throw new Error(`not a SIP URI: ${uri.scheme}`);
  return uri;
}

describe('RFC 5118 fixtures', () => {
  it('are byte-exact copies (SHA256SUMS)', () => {
    expect(checksumMismatches(SET)).toEqual([]);
    expect(fixtureNames(SET)).toHaveLength(12);
    expect(checksumNames(SET)).toEqual(fixtureNames(SET).map((name) => `${name}.sip`));
  });
});

describe('RFC 5118 §4 IPv6 torture messages', () => {
  it('§4.1 ipv6-good: a valid IPv6 reference in the Request-URI', () => {
    const m = request('ipv6-good');
    const ruri = sip(m.requestUri);
    expect(ruri.host).toBe('[2001:db8::10]');
    expect(ruri.port).toBeUndefined();
    expect(bareHost(ruri.host)).toBe('2001:db8::10');
    expect(m.topVia?.host).toBe('[2001:db8::9:1]');
    expect(sip(m.contact[0]!.uri).host).toBe('[2001:db8::1]');
  });

  it('§4.2 ipv6-bad: an IPv6 address without brackets in the Request-URI → 400', () => {
    const error = rejected(SET, 'ipv6-bad');
    expect(error.status).toBe(400);
    expect(error.reason).toMatch(/sip:2001:db8::10/);
  });

  it('§4.3 port-ambiguous: everything inside [] is the address, so there is no port', () => {
    const ruri = sip(request('port-ambiguous').requestUri);
    expect(ruri.host).toBe('[2001:db8::10:5070]');
    expect(ruri.port).toBeUndefined();
  });

  it('§4.4 port-unambiguous: the port follows the closing bracket', () => {
    const ruri = sip(request('port-unambiguous').requestUri);
    expect(ruri.host).toBe('[2001:db8::10]');
    expect(ruri.port).toBe(5070);
  });

  it('§4.5 via-received-param-with-delim: received holds a bracketed IPv6 reference', () => {
    const via = request('via-received-param-with-delim').topVia!;
    expect(via.host).toBe('[2001:db8::9:1]');
    expect(via.received).toBe('[2001:db8::9:255]');
    expect(via.branch).toBe('z9hG4bKas3-111');
  });

  it('§4.5 via-received-param-no-delim: received holds a bare IPv6 address', () => {
    const via = request('via-received-param-no-delim').topVia!;
    expect(via.received).toBe('2001:db8::9:255');
    expect(via.branch).toBe('z9hG4bKas3');
  });

  it('§4.6 ipv6-in-sdp: IPv6 in the headers and the SDP body', () => {
    const m = request('ipv6-in-sdp');
    expect(sip(m.requestUri).host).toBe('[2001:db8::10]');
    expect(sip(m.to.uri).host).toBe('[2001:db8::10]');
    expect(m.topVia?.host).toBe('[2001:db8::20]');
    expect(m.contact[0]!.displayName).toBe('Caller');
    expect(m.bodyText).toContain('c=IN IP6 2001:db8::20\r\n');
    expect(m.body).toHaveLength(m.contentLength);
  });

  it('§4.7 mult-ip-in-header: IPv6 and IPv4 in one Via list', () => {
    const vias = request('mult-ip-in-header').via;
    expect(vias.map((v) => [v.transport, v.host, v.port])).toEqual([
      ['UDP', '[2001:db8::9:1]', 6050],
      ['UDP', '192.0.2.1', undefined],
      ['TCP', '[2001:db8::9:255]', undefined],
    ]);
    expect(vias[2]!.received).toBe('192.0.2.200');
  });

  it('§4.8 mult-ip-in-sdp: an IPv4 and an IPv6 media line in the body', () => {
    const m = request('mult-ip-in-sdp');
    expect(m.bodyText).toContain('c=IN IP4 192.0.2.1\r\n');
    expect(m.bodyText).toContain('c=IN IP6 2001:db8::1\r\n');
    expect(sip(m.contact[0]!.uri).host).toBe('[2001:db8::9:1]');
  });

  it('§4.9 ipv4-mapped-ipv6: IPv4-mapped IPv6 addresses in Via, Contact and SDP', () => {
    const m = request('ipv4-mapped-ipv6');
    expect(m.via.map((v) => [v.host, v.port])).toEqual([
      ['[::ffff:192.0.2.10]', 19823],
      ['[::ffff:192.0.2.2]', undefined],
    ]);
    expect(m.contact[0]!.displayName).toBe('T. desk phone');
    expect(sip(m.contact[0]!.uri).host).toBe('[::ffff:192.0.2.2]');
    expect(m.bodyText).toContain('c=IN IP6 ::ffff:192.0.2.2\r\n');
  });

  it('§4.10 ipv6-bug-abnf-3-colons: tolerated, and read as the two-colon address', () => {
    // RFC 3261's IPv6reference ABNF derives three colons before an embedded IPv4 address; RFC 5118 §4.10 asks
    // implementations to tolerate both forms. The address is normalised; the Request-URI text is kept as sent.
    const m = request('ipv6-bug-abnf-3-colons');
    const ruri = sip(m.requestUri);
    expect(ruri.host).toBe('[2001:db8::192.0.2.1]');
    expect(m.requestUriText).toBe('sip:user@[2001:db8:::192.0.2.1]');
    expect(formatUri(ruri)).toBe('sip:user@[2001:db8::192.0.2.1]');
    expect(sip(m.to.uri).host).toBe('[2001:db8::192.0.2.1]');
    const correct = sip(request('ipv6-correct-abnf-2-colons').requestUri);
    expect(sipUriEquals(ruri, correct)).toBe(true);
  });

  it('§4.10 ipv6-correct-abnf-2-colons: the RFC 4291 form', () => {
    const m = request('ipv6-correct-abnf-2-colons');
    expect(sip(m.requestUri).host).toBe('[2001:db8::192.0.2.1]');
    expect(sip(m.to.uri).user).toBe('user');
  });
});
