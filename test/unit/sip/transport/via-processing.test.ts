import { describe, expect, it } from 'vitest';
import type { SipMessage } from '../../../../main/sip/message/message';
import { parseMessage } from '../../../../main/sip/message/parse';
import { serializeMessage } from '../../../../main/sip/message/serialize';
import type { MessageSource, TransportProtocol } from '../../../../main/sip/transport/types';
import {
  replaceTopVia,
  responseDestination,
  stampReceived,
} from '../../../../main/sip/transport/via-processing';

function parse(text: string): SipMessage {
  const parsed = parseMessage(text);
  if (!parsed.ok) throw new Error(`test message does not parse: ${parsed.error.reason}`);
  return parsed.message;
}

/** An OPTIONS whose Via header lines are exactly `viaLines`. */
function request(...viaLines: string[]): SipMessage {
  return parse(
    [
      'OPTIONS sip:alice@192.0.2.1 SIP/2.0',
      ...viaLines.map((line) => `Via: ${line}`),
      'Max-Forwards: 70',
      'From: <sip:bob@example.test>;tag=b1',
      'To: <sip:alice@example.test>',
      'Call-ID: via-test-1',
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  );
}

function source(address: string, port: number, protocol: TransportProtocol = 'udp'): MessageSource {
  return { protocol, address, port, localAddress: '192.0.2.1', localPort: 5060 };
}

/** What a peer sees: the message through the wire, so the stamped Via really serialises and parses. */
function reparsed(message: SipMessage): SipMessage {
  return parse(serializeMessage(message).toString('utf8'));
}

describe('stampReceived (RFC 3261 §18.2.1, RFC 3581 §4)', () => {
  it('leaves the Via alone when the sent-by host is the source address and there is no rport', () => {
    const message = request('SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bKa');
    stampReceived(message, source('198.51.100.7', 5070));
    expect(message.headerLines('via')).toEqual(['SIP/2.0/UDP 198.51.100.7:5070;branch=z9hG4bKa']);
  });

  it('adds received when the sent-by host differs from the source address', () => {
    const message = request('SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKa');
    stampReceived(message, source('203.0.113.9', 5060));
    const via = reparsed(message).topVia;
    expect(via?.received).toBe('203.0.113.9');
    expect(via?.rport).toBeUndefined();
    expect(via?.branch).toBe('z9hG4bKa');
  });

  it('adds received when sent-by is a host name', () => {
    const message = request('SIP/2.0/UDP client.example.test;branch=z9hG4bKa');
    stampReceived(message, source('203.0.113.9', 5060));
    expect(reparsed(message).topVia?.received).toBe('203.0.113.9');
  });

  it('fills an empty rport with the source port and always adds received with it', () => {
    const message = request('SIP/2.0/UDP 198.51.100.7:5060;rport;branch=z9hG4bKa');
    stampReceived(message, source('198.51.100.7', 40123));
    const via = reparsed(message).topVia;
    expect(via?.rport).toBe(40123);
    // RFC 3581 §4: received goes in even though it equals the sent-by host.
    expect(via?.received).toBe('198.51.100.7');
    expect(message.headerLines('via')[0]).toBe(
      'SIP/2.0/UDP 198.51.100.7:5060;rport=40123;branch=z9hG4bKa;received=198.51.100.7',
    );
  });

  it('stamps rport and received behind a NAT (sent-by private, source public)', () => {
    const message = request('SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bKa;rport');
    stampReceived(message, source('203.0.113.9', 61000));
    expect(reparsed(message).topVia).toMatchObject({ received: '203.0.113.9', rport: 61000 });
  });

  it('replaces a received the sender put in itself', () => {
    const message = request('SIP/2.0/UDP 10.0.0.5;received=1.2.3.4;branch=z9hG4bKa');
    stampReceived(message, source('203.0.113.9', 5060));
    expect(reparsed(message).topVia?.received).toBe('203.0.113.9');
  });

  it('overwrites a received the sender wrote that is not the source, so it cannot steer our responses', () => {
    const message = request('SIP/2.0/UDP 198.51.100.7:5060;received=203.0.113.50;branch=z9hG4bKa');
    const from = source('198.51.100.7', 5060);
    stampReceived(message, from);
    expect(reparsed(message).topVia?.received).toBe('198.51.100.7');
    expect(responseDestination(message, from).address).toBe('198.51.100.7');
  });

  it('keeps a received the sender wrote when it is the source address', () => {
    const message = request('SIP/2.0/UDP 198.51.100.7:5060;received=198.51.100.7;branch=z9hG4bKa');
    stampReceived(message, source('198.51.100.7', 5060));
    expect(message.headerLines('via')).toEqual([
      'SIP/2.0/UDP 198.51.100.7:5060;received=198.51.100.7;branch=z9hG4bKa',
    ]);
  });

  it('leaves an rport that already has a value alone', () => {
    const message = request('SIP/2.0/UDP 198.51.100.7:5060;rport=7000;branch=z9hG4bKa');
    stampReceived(message, source('198.51.100.7', 40123));
    expect(reparsed(message).topVia?.rport).toBe(7000);
  });

  it('keeps the other Via lines untouched and in order', () => {
    const message = request(
      'SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bKtop',
      'SIP/2.0/TCP proxy1.example.test;branch=z9hG4bKp1;received=192.0.2.99',
      'SIP/2.0/UDP   proxy2.example.test:5080 ;branch=z9hG4bKp2',
    );
    stampReceived(message, source('203.0.113.9', 61000));
    const lines = message.headerLines('via');
    expect(lines.slice(1)).toEqual([
      'SIP/2.0/TCP proxy1.example.test;branch=z9hG4bKp1;received=192.0.2.99',
      'SIP/2.0/UDP   proxy2.example.test:5080 ;branch=z9hG4bKp2',
    ]);
    expect(reparsed(message).via.map((via) => via.branch)).toEqual(['z9hG4bKtop', 'z9hG4bKp1', 'z9hG4bKp2']);
  });

  it('rewrites only the first value when several Vias share one comma-separated line', () => {
    const message = request(
      'SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bKtop, SIP/2.0/UDP proxy1.example.test;branch=z9hG4bKp1',
      'SIP/2.0/UDP proxy2.example.test;branch=z9hG4bKp2',
    );
    stampReceived(message, source('203.0.113.9', 61000));
    const lines = message.headerLines('via');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(
      'SIP/2.0/UDP 10.0.0.5:5060;rport=61000;branch=z9hG4bKtop;received=203.0.113.9, ' +
        'SIP/2.0/UDP proxy1.example.test;branch=z9hG4bKp1',
    );
    expect(lines[1]).toBe('SIP/2.0/UDP proxy2.example.test;branch=z9hG4bKp2');
    expect(reparsed(message).via).toHaveLength(3);
  });

  it('compares an IPv6 sent-by without its brackets', () => {
    const message = request('SIP/2.0/UDP [2001:db8::5]:5060;branch=z9hG4bKa');
    stampReceived(message, source('2001:db8::5', 5060));
    expect(reparsed(message).topVia?.received).toBeUndefined();
  });

  it('writes an IPv6 source into received and rport', () => {
    const message = request('SIP/2.0/UDP [2001:db8::5]:5060;rport;branch=z9hG4bKa');
    stampReceived(message, source('2001:db8::9', 41000));
    const via = reparsed(message).topVia;
    // RFC 3261 §25.1 via-received is an IPv6address, without brackets.
    expect(via).toMatchObject({ host: '[2001:db8::5]', received: '2001:db8::9', rport: 41000 });
  });

  it('compares hosts case-insensitively', () => {
    const message = request('SIP/2.0/UDP [2001:DB8::5]:5060;branch=z9hG4bKa');
    stampReceived(message, source('2001:db8::5', 5060));
    expect(reparsed(message).topVia?.received).toBeUndefined();
  });
});

describe('replaceTopVia', () => {
  it('replaces the first value and keeps the rest of a shared line', () => {
    const message = request(
      'SIP/2.0/UDP a.example.test;branch=z9hG4bK1,SIP/2.0/UDP b.example.test;branch=z9hG4bK2',
    );
    const top = message.topVia!;
    replaceTopVia(message, { ...top, transport: 'TCP' });
    expect(message.headerLines('via')).toEqual([
      'SIP/2.0/TCP a.example.test;branch=z9hG4bK1, SIP/2.0/UDP b.example.test;branch=z9hG4bK2',
    ]);
  });

  it('does nothing to a message without Via', () => {
    const message = request('SIP/2.0/UDP a.example.test;branch=z9hG4bK1');
    const top = message.topVia!;
    message.removeHeader('via');
    replaceTopVia(message, top);
    expect(message.hasHeader('via')).toBe(false);
  });

  it('rewrites the value topVia reads even when the first Via line is empty', () => {
    const message = request(
      '',
      'SIP/2.0/UDP a.example.test;branch=z9hG4bK1',
      'SIP/2.0/UDP b.example.test;branch=z9hG4bK2',
    );
    expect(message.topVia?.host).toBe('a.example.test');
    replaceTopVia(message, { ...message.topVia!, transport: 'TCP' });
    const vias = reparsed(message).via;
    expect(vias.map((via) => `${via.transport} ${via.host}`)).toEqual([
      'TCP a.example.test',
      'UDP b.example.test',
    ]);
  });
});

describe('responseDestination (RFC 3261 §18.2.2, RFC 3581 §4)', () => {
  /** A response carrying `via` as its top Via. */
  function response(via: string): SipMessage {
    return parse(
      [
        'SIP/2.0 200 OK',
        `Via: ${via}`,
        'Via: SIP/2.0/UDP proxy.example.test;branch=z9hG4bKp',
        'From: <sip:bob@example.test>;tag=b1',
        'To: <sip:alice@example.test>;tag=a1',
        'Call-ID: via-test-1',
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
  }

  it('UDP with rport: the received address and the rport port', () => {
    const destination = responseDestination(
      response('SIP/2.0/UDP 10.0.0.5:5060;rport=61000;received=203.0.113.9;branch=z9hG4bKa'),
      source('203.0.113.9', 61000),
    );
    expect(destination).toEqual({ protocol: 'udp', address: '203.0.113.9', port: 61000 });
  });

  it('UDP with rport but no received: the source address and the rport port', () => {
    const destination = responseDestination(
      response('SIP/2.0/UDP 198.51.100.7:5060;rport=61000;branch=z9hG4bKa'),
      source('198.51.100.7', 61000),
    );
    expect(destination).toEqual({ protocol: 'udp', address: '198.51.100.7', port: 61000 });
  });

  it('UDP with received and no rport: the received address and the sent-by port', () => {
    const destination = responseDestination(
      response('SIP/2.0/UDP 10.0.0.5:5070;received=203.0.113.9;branch=z9hG4bKa'),
      source('203.0.113.9', 61000),
    );
    expect(destination).toEqual({ protocol: 'udp', address: '203.0.113.9', port: 5070 });
  });

  it('UDP with received and a sent-by without port: port 5060', () => {
    const destination = responseDestination(
      response('SIP/2.0/UDP client.example.test;received=203.0.113.9;branch=z9hG4bKa'),
      source('203.0.113.9', 61000),
    );
    expect(destination).toEqual({ protocol: 'udp', address: '203.0.113.9', port: 5060 });
  });

  it('plain UDP: the sent-by port at the source address, not the source port', () => {
    const destination = responseDestination(
      response('SIP/2.0/UDP 198.51.100.7:5080;branch=z9hG4bKa'),
      source('198.51.100.7', 61000),
    );
    expect(destination).toEqual({ protocol: 'udp', address: '198.51.100.7', port: 5080 });
  });

  it('plain UDP without a sent-by port: 5060', () => {
    const destination = responseDestination(
      response('SIP/2.0/UDP 198.51.100.7;branch=z9hG4bKa'),
      source('198.51.100.7', 61000),
    );
    expect(destination).toEqual({ protocol: 'udp', address: '198.51.100.7', port: 5060 });
  });

  it('TCP with received: a new connection to the received address and the sent-by port', () => {
    const destination = responseDestination(
      response('SIP/2.0/TCP 10.0.0.5:5070;rport=50123;received=203.0.113.9;branch=z9hG4bKa'),
      source('203.0.113.9', 50123, 'tcp'),
    );
    // rport names the ephemeral port of the closed connection; the listening port is in sent-by.
    expect(destination).toEqual({ protocol: 'tcp', address: '203.0.113.9', port: 5070 });
  });

  it('TCP without received or port: the source address and 5060', () => {
    const destination = responseDestination(
      response('SIP/2.0/TCP 198.51.100.7;branch=z9hG4bKa'),
      source('198.51.100.7', 50123, 'tcp'),
    );
    expect(destination).toEqual({ protocol: 'tcp', address: '198.51.100.7', port: 5060 });
  });

  it('IPv6: received without brackets, and a bracketed received is tolerated', () => {
    expect(
      responseDestination(
        response('SIP/2.0/UDP [2001:db8::5]:5060;rport=41000;received=2001:db8::9;branch=z9hG4bKa'),
        source('2001:db8::9', 41000),
      ),
    ).toEqual({ protocol: 'udp', address: '2001:db8::9', port: 41000 });
    expect(
      responseDestination(
        response('SIP/2.0/UDP [2001:db8::5]:5060;received=[2001:db8::9];branch=z9hG4bKa'),
        source('2001:db8::9', 41000),
      ),
    ).toEqual({ protocol: 'udp', address: '2001:db8::9', port: 5060 });
  });

  it('IPv6 plain: the source address without brackets', () => {
    expect(
      responseDestination(response('SIP/2.0/UDP [::1]:5072;branch=z9hG4bKa'), source('::1', 41000)),
    ).toEqual({ protocol: 'udp', address: '::1', port: 5072 });
  });

  it('the stamped request’s Via leads the response back to the NATed source port', () => {
    const message = request('SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bKa');
    const from = source('203.0.113.9', 61000);
    stampReceived(message, from);
    const answer = response(message.headerLines('via')[0]!);
    expect(responseDestination(answer, from)).toEqual({
      protocol: 'udp',
      address: '203.0.113.9',
      port: 61000,
    });
  });
});
