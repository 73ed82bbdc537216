// What a UserAgent answers to requests the parser refuses (RFC 3261 §8.2, §21.4.1; RFC 4475 §3.1.2): a 400 (505
// for another SIP version) whose reason says why, sent where RFC 3581 §4 says, whenever Via, From, To, Call-ID and
// CSeq can be read; nothing when the message cannot be routed, is an ACK or is a response. Fed byte-exact to a
// real UserAgent on the in-memory network, and once over real loopback sockets.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NodeSocketFactory } from '../../../main/platform/node-sockets';
import type { DatagramSocket, SocketFactory } from '../../../main/platform/sockets';
import { MESSAGE_LIMITS } from '../../../main/sip/message/limits';
import { parseMessage } from '../../../main/sip/message/parse';
import { UserAgent } from '../../../main/ua/user-agent';
import { LoopbackNetwork, textOf } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';
import { fixture } from '../sip/message/torture-fixtures';

const UA = { address: '10.0.0.2', port: 5062 };
// The torture messages' Vias name no port and no rport: the answer goes to the source address, port 5060
// (RFC 3261 §18.2.2).
const PEER = { address: '10.0.0.9', port: 5060 };

interface Received {
  readonly text: string;
  readonly bytes: Buffer;
  readonly from: string;
}

async function peerSocket(sockets: SocketFactory, address: string, port: number) {
  const socket: DatagramSocket = await sockets.bindDatagram(address, port);
  const received: Received[] = [];
  socket.onMessage((data, from) =>
    received.push({ text: textOf(data), bytes: Buffer.from(data), from: `${from.address}:${from.port}` }),
  );
  return { socket, received };
}

describe('UserAgent answering malformed requests (in-memory network)', () => {
  const agents: UserAgent[] = [];
  afterEach(() => {
    for (const ua of agents.splice(0)) ua.transport.close();
  });

  async function setup(peerPort = PEER.port) {
    const clock = new ManualClock();
    const random = new SeededRandom(7);
    const network = new LoopbackNetwork({ clock, random });
    const ua = await UserAgent.start({
      sockets: network,
      clock,
      random,
      bindAddress: UA.address,
      port: UA.port,
      protocols: ['udp'],
    });
    agents.push(ua);
    const peer = await peerSocket(network, PEER.address, peerPort);
    /** Sends `data` to the UA and returns what came back. */
    const exchange = async (data: Uint8Array | string): Promise<Received[]> => {
      const before = peer.received.length;
      peer.socket.send(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, UA.port, UA.address);
      await settle(clock);
      return peer.received.slice(before);
    };
    return { network, exchange };
  }

  /** The status line of the one answer, after checking it is a well-formed response to the request. */
  function onlyAnswer(answers: readonly Received[], callId: string): string {
    expect(answers).toHaveLength(1);
    const parsed = parseMessage(answers[0]!.bytes);
    if (!parsed.ok || parsed.message.kind !== 'response')
      throw new Error(`not a response: ${answers[0]!.text}`);
    expect(parsed.message.callId).toBe(callId);
    expect(parsed.message.to.tag).toBeDefined();
    return answers[0]!.text.split('\r\n')[0]!;
  }

  const cases: Array<[string, string, string]> = [
    [
      'ltgtruri',
      'ltgtruri.1@192.0.2.5',
      'SIP/2.0 400 Bad Request (URI has no scheme: <sip:user@example.com>)',
    ],
    [
      'lwsruri',
      'lwsruri.asdfasdoeoi2323-asdfwrn23-asd834rk423',
      'SIP/2.0 400 Bad Request (malformed request line: ',
    ],
    [
      'lwsstart',
      'lwsstart.dfknq234oi243099adsdfnawe3@example.com',
      'SIP/2.0 400 Bad Request (malformed request line: ',
    ],
    [
      'clerr',
      'clerr.0ha0isndaksdjweiafasdk3',
      'SIP/2.0 400 Bad Request (Content-Length is larger than the message)',
    ],
    ['badinv01', 'badinv01.0ha0isndaksdjasdf3234nas', 'SIP/2.0 400 Bad Request (invalid Via '],
    ['trws', 'trws.oicu34958239neffasdhr2345r', 'SIP/2.0 400 Bad Request (malformed request line: '],
    [
      'badvers',
      'badvers.31417@c.example.com',
      'SIP/2.0 505 Version Not Supported (unsupported SIP version SIP/7.0)',
    ],
  ];

  for (const [name, callId, statusLine] of cases) {
    it(`answers RFC 4475 ${name} with "${statusLine.slice(8, 23)}…", at the source address`, async () => {
      const { exchange } = await setup();
      const answers = await exchange(fixture('rfc4475', name));
      expect(onlyAnswer(answers, callId).startsWith(statusLine)).toBe(true);
      expect(answers[0]!.from).toBe(`${UA.address}:${UA.port}`);
    });
  }

  it('copies the sender’s Via and stamps it, so the answer follows RFC 3581 to the source port', async () => {
    const { exchange, network } = await setup();
    const peer = await peerSocket(network, PEER.address, 40000);
    const text = request({
      startLine: 'OPTIONS  sip:ua@10.0.0.2 SIP/2.0',
      via: `SIP/2.0/UDP ${PEER.address}:5999;rport;branch=z9hG4bKr1`,
    });
    peer.socket.send(Buffer.from(text), UA.port, UA.address);
    await exchange('');
    expect(peer.received).toHaveLength(1);
    const answer = peer.received[0]!.text;
    expect(answer).toMatch(/^SIP\/2\.0 400 Bad Request \(malformed request line/);
    expect(answer).toContain(
      `Via: SIP/2.0/UDP ${PEER.address}:5999;rport=40000;branch=z9hG4bKr1;received=${PEER.address}`,
    );
  });

  it('answers 400 naming the limit to a 65,000-byte header, 10,000 headers and 70 Vias', async () => {
    const { exchange } = await setup();
    const longValue = request({ extra: [`Subject: ${'x'.repeat(65_000)}`] });
    expect(onlyAnswer(await exchange(longValue), 'c1@10.0.0.9')).toBe(
      `SIP/2.0 400 Bad Request (header line longer than ${MESSAGE_LIMITS.maxHeaderLineLength} characters (the limit))`,
    );
    const manyHeaders = request({ extra: Array.from({ length: 10_000 }, (_, i) => `X-H: ${i}`) });
    expect(onlyAnswer(await exchange(manyHeaders), 'c1@10.0.0.9')).toBe(
      `SIP/2.0 400 Bad Request (more than ${MESSAGE_LIMITS.maxHeaderLines} header lines (the limit))`,
    );
    const vias = Array.from(
      { length: 69 },
      (_, i) => `Via: SIP/2.0/UDP 192.0.2.${i}:5060;branch=z9hG4bKv${i}`,
    );
    const answers = await exchange(request({ extra: vias }));
    // Not parsed back: the answer copies all 70 Vias (RFC 3261 §8.2.6.2), past what our own parser takes.
    expect(answers.map((answer) => answer.text.split('\r\n')[0])).toEqual([
      `SIP/2.0 400 Bad Request (more than ${MESSAGE_LIMITS.maxViaValues} Via values (the limit))`,
    ]);
    expect(answers[0]!.text.match(/^Via: /gm)).toHaveLength(70);
    // The answer is no larger than the request: only the headers a response copies come back.
    expect(answers[0]!.text).not.toContain('X-H');
  });

  it('answers 400 to a NUL in a header value, a display name or the Call-ID, without echoing the NUL', async () => {
    const { exchange } = await setup();
    const variants = [
      request({ extra: ['Subject: hello\0world'] }),
      request({ from: 'From: "Mal\0lory" <sip:m@10.0.0.9>;tag=f1' }),
      request({ callId: 'c1\0@10.0.0.9' }),
    ];
    const reasons: string[] = [];
    for (const text of variants) {
      const answers = await exchange(text);
      expect(answers).toHaveLength(1);
      expect(answers[0]!.bytes.includes(0)).toBe(false);
      reasons.push(answers[0]!.text.split('\r\n')[0]!);
    }
    expect(reasons).toEqual([
      'SIP/2.0 400 Bad Request (NUL byte in the Subject header)',
      'SIP/2.0 400 Bad Request (NUL byte in the From header)',
      'SIP/2.0 400 Bad Request (NUL byte in the Call-ID header)',
    ]);
  });

  it('drops what it cannot route or must not answer: no Via, an unreadable Via, an ACK, a response', async () => {
    const { exchange, network } = await setup();
    const noVia = request({ startLine: 'OPTIONS  sip:ua@10.0.0.2 SIP/2.0' }).replace(/^Via: .*\r\n/m, '');
    const badVia = request({
      startLine: 'OPTIONS  sip:ua@10.0.0.2 SIP/2.0',
      via: 'SIP/2.0/UDP [not-an-address',
    });
    const nulVia = request({
      startLine: 'OPTIONS  sip:ua@10.0.0.2 SIP/2.0',
      via: 'SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK\0',
    });
    const ack = request({ startLine: 'ACK  sip:ua@10.0.0.2 SIP/2.0', cseq: 'CSeq: 1 ACK' });
    const response = request({ startLine: 'SIP/2.0 200 OK OK' }).replace(
      'Content-Length: 0',
      'Content-Length: 99',
    );
    const noCallId = request({ startLine: 'OPTIONS  sip:ua@10.0.0.2 SIP/2.0' }).replace(
      /^Call-ID: .*\r\n/m,
      '',
    );
    for (const text of [noVia, badVia, nulVia, ack, response, noCallId])
      expect(await exchange(text)).toEqual([]);
    // Nothing went anywhere else either.
    expect(network.trace.filter((entry) => entry.from.port === UA.port)).toEqual([]);
  });
});

describe('UserAgent answering a malformed request over TCP (in-memory network)', () => {
  it('writes the 400 back on the connection the framed request came on', async () => {
    const clock = new ManualClock();
    const network = new LoopbackNetwork({ clock });
    const ua = await UserAgent.start({
      sockets: network,
      clock,
      random: new SeededRandom(5),
      bindAddress: UA.address,
      port: UA.port,
      protocols: ['udp', 'tcp'],
    });
    try {
      const connection = await network.connectStream(UA.address, UA.port, PEER.address);
      const received: string[] = [];
      connection.onData((chunk) => received.push(textOf(chunk)));
      // Framed by its Content-Length like any stream message; the parser then refuses its request line.
      connection.write(fixture('rfc4475', 'lwsstart'));
      await settle(clock);
      expect(received.join('').split('\r\n')[0]).toMatch(
        /^SIP\/2\.0 400 Bad Request \(malformed request line/,
      );
      expect(received.join('')).toContain('Call-ID: lwsstart.dfknq234oi243099adsdfnawe3@example.com');
      connection.close();
    } finally {
      ua.transport.close();
    }
  });
});

describe('UserAgent answering a malformed request over real UDP sockets', () => {
  it('sends the 400 back to the sender’s socket', async () => {
    const sockets = new NodeSocketFactory();
    const ua = await UserAgent.start({
      sockets,
      clock: new ManualClock(),
      random: new SeededRandom(3),
      bindAddress: '127.0.0.1',
      port: 0,
      protocols: ['udp'],
    });
    const peer = await peerSocket(sockets, '127.0.0.1', 0);
    try {
      const lwsstart = fixture('rfc4475', 'lwsstart')
        .toString('latin1')
        .replace('branch=z9hG4bKkdjuw3923', 'branch=z9hG4bKkdjuw3923;rport');
      peer.socket.send(Buffer.from(lwsstart, 'latin1'), ua.transport.localPort, '127.0.0.1');
      await vi.waitFor(() => expect(peer.received).toHaveLength(1), { interval: 5, timeout: 5000 });
      expect(peer.received[0]!.text.split('\r\n')[0]).toMatch(
        /^SIP\/2\.0 400 Bad Request \(malformed request line/,
      );
      expect(peer.received[0]!.text).toContain(`rport=${peer.socket.local.port}`);
    } finally {
      peer.socket.close();
      ua.transport.close();
    }
  });
});

interface RequestParts {
  readonly startLine?: string;
  readonly via?: string;
  readonly from?: string;
  readonly callId?: string;
  readonly cseq?: string;
  readonly extra?: readonly string[];
}

/** A request from PEER to the UA, well-formed unless a part says otherwise. */
function request(parts: RequestParts = {}): string {
  return [
    parts.startLine ?? 'OPTIONS sip:ua@10.0.0.2 SIP/2.0',
    `Via: ${parts.via ?? `SIP/2.0/UDP ${PEER.address};branch=z9hG4bKm1`}`,
    'Max-Forwards: 70',
    parts.from ?? `From: <sip:peer@${PEER.address}>;tag=f1`,
    'To: <sip:ua@10.0.0.2>',
    `Call-ID: ${parts.callId ?? 'c1@10.0.0.9'}`,
    parts.cseq ?? 'CSeq: 1 OPTIONS',
    ...(parts.extra ?? []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}
