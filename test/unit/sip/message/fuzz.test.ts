// Property-based fuzzing of the SIP message layer with fixed seeds. Random bytes, the torture messages and generated
// well-formed messages, mutated (flipped bytes, cuts, duplicated lines, inserted delimiters), go through every
// parser: none may throw, and whatever parses must survive serialise → parse unchanged, with the serialisation a
// fixed point after one round. A hang would hit the test timeout.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HeaderField, SipMessage } from '../../../../main/sip/message/message';
import { formatNameAddr, parseNameAddr } from '../../../../main/sip/message/name-addr';
import type { NameAddr } from '../../../../main/sip/message/name-addr';
import { createResponse } from '../../../../main/sip/message/builders';
import { parseMessage } from '../../../../main/sip/message/parse';
import { salvageRequest } from '../../../../main/sip/message/salvage';
import { serializeMessage } from '../../../../main/sip/message/serialize';
import { StreamFramer } from '../../../../main/sip/message/stream-framer';
import type { FramerEvent } from '../../../../main/sip/message/stream-framer';
import { formatUri, parseUri } from '../../../../main/sip/message/uri';
import type { Uri } from '../../../../main/sip/message/uri';
import { formatVia, parseVia } from '../../../../main/sip/message/via';
import { fixture, fixtureNames } from './torture-fixtures';

const SEED = 4475;
const TIMEOUT = 30_000;

// ---- Inputs ----

const TORTURE: readonly Buffer[] = [
  ...fixtureNames('rfc4475').map((name) => fixture('rfc4475', name)),
  ...fixtureNames('rfc5118').map((name) => fixture('rfc5118', name)),
];

const token = fc.string({ unit: fc.constantFrom(..."abcXYZ019-.!%*_+`'~"), minLength: 1, maxLength: 12 });
// A label starts with a letter: an all-digit dotted host must be an IPv4 address.
const label = fc
  .tuple(fc.constantFrom(...'abxyz'), fc.string({ unit: fc.constantFrom(...'abcxyz019-'), maxLength: 7 }))
  .map(([first, rest]) => `${first}${rest.replace(/-+$/, '')}`);
const hostname = fc.array(label, { minLength: 1, maxLength: 3 }).map((labels) => labels.join('.'));
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const ipv6 = fc
  .array(fc.nat(0xffff), { minLength: 8, maxLength: 8 })
  .map((groups) => `[${groups.map((g) => g.toString(16)).join(':')}]`);
const host = fc.oneof(hostname, ipv4, ipv6, fc.constant('[2001:db8::10]'));
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
const userText = fc.string({
  unit: fc.constantFrom(..."abc019-_.!~*'()&=+$,;?/% é@:"),
  minLength: 1,
  maxLength: 12,
});
const escaped = (text: string) =>
  [...Buffer.from(text)]
    .map((b) =>
      /[A-Za-z0-9\-_.!~*'()&=+$,;?/]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, '0')}`,
    )
    .join('');
const uriParam = fc
  .tuple(token, fc.option(token, { nil: undefined }))
  .map(([name, value]) =>
    value === undefined ? `;${escaped(name)}` : `;${escaped(name)}=${escaped(value)}`,
  );
const sipUriText = fc
  .record({
    scheme: fc.constantFrom('sip', 'sips', 'SIP'),
    user: fc.option(userText, { nil: undefined }),
    host,
    port,
    params: fc.array(uriParam, { maxLength: 3 }),
  })
  .map(
    ({ scheme, user, host: h, port: p, params }) =>
      `${scheme}:${user === undefined ? '' : `${escaped(user)}@`}${h}${p === undefined ? '' : `:${p}`}${params.join('')}`,
  );
const uriText = fc.oneof(
  { weight: 6, arbitrary: sipUriText },
  {
    weight: 1,
    arbitrary: fc.constantFrom('tel:+1-201-555-0123;ext=1', 'urn:service:sos', 'isbn:2983792873'),
  },
);
const displayName = fc.oneof(
  fc.constant(''),
  token.map((t) => `${t} `),
  fc
    .string({ unit: fc.constantFrom(...'ab ,;<>:@"\\é\t'), maxLength: 12 })
    .map((t) => `"${t.replace(/[\\"]/g, (c) => `\\${c}`)}" `),
);
const headerParam = fc
  .tuple(token, fc.option(fc.oneof(token, fc.constant('"a, b;<c>"')), { nil: undefined }))
  .map(([name, value]) => (value === undefined ? `;${name}` : `;${name}=${value}`));
const nameAddrText = fc
  .tuple(displayName, uriText, fc.array(headerParam, { maxLength: 3 }))
  .map(([name, uri, params]) => `${name}<${uri}>${params.join('')}`);
const viaText = fc
  .tuple(fc.constantFrom('UDP', 'TCP', 'TLS', 'WS', 'sctp'), host, port, token, fc.boolean())
  .map(
    ([transport, h, p, branch, rport]) =>
      `SIP/2.0/${transport} ${h}${p === undefined ? '' : `:${p}`};branch=z9hG4bK${branch}${rport ? ';rport' : ''}`,
  );
const text = fc.string({ unit: fc.constantFrom(...'abc XYZ 019 ,;:<>"\\/@=é\t'), maxLength: 30 });
const extensionHeader = fc.tuple(token, text).map(([name, value]) => `X-${name}: ${value}`);
const body = fc.oneof(
  fc.constant(Buffer.alloc(0)),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.constant(Buffer.from('v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n\r\nc=IN IP4 192.0.2.1\r\n')),
);
const METHODS = [
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'REGISTER',
  'MESSAGE',
  'SUBSCRIBE',
  'NOTIFY',
  'X-NEW',
];

/** A well-formed request or response, as bytes, with Content-Length (or none) and any line ending. */
const wellFormed = fc
  .record({
    response: fc.boolean(),
    status: fc.integer({ min: 100, max: 699 }),
    reason: text,
    method: fc.constantFrom(...METHODS),
    requestUri: uriText,
    vias: fc.array(viaText, { minLength: 1, maxLength: 3 }),
    from: nameAddrText,
    to: nameAddrText,
    callId: token,
    seq: fc.nat(0xffffffff),
    contacts: fc.array(nameAddrText, { maxLength: 2 }),
    extensions: fc.array(extensionHeader, { maxLength: 3 }),
    body,
    contentLength: fc.boolean(),
    compact: fc.boolean(),
    eol: fc.constantFrom('\r\n', '\n'),
  })
  .map((m) => {
    const startLine = m.response ? `SIP/2.0 ${m.status} ${m.reason}` : `${m.method} ${m.requestUri} SIP/2.0`;
    const n = (long: string, short: string) => (m.compact ? short : long);
    const headers = [
      ...m.vias.map((v) => `${n('Via', 'v')}: ${v}`),
      `${n('From', 'f')}: ${m.from};tag=f${m.callId}`,
      `${n('To', 't')}: ${m.to}`,
      `${n('Call-ID', 'i')}: ${m.callId}`,
      `CSeq: ${m.seq} ${m.method}`,
      'Max-Forwards: 70',
      ...m.contacts.map((c) => `${n('Contact', 'm')}: ${c}`),
      ...m.extensions,
      ...(m.contentLength ? [`${n('Content-Length', 'l')}: ${m.body.length}`] : []),
    ];
    return Buffer.concat([Buffer.from(`${startLine}${m.eol}${headers.join(m.eol)}${m.eol}${m.eol}`), m.body]);
  });

const INSERTS = [
  '\r',
  '\n',
  '\r\n',
  '\0',
  '"',
  '<',
  '>',
  ',',
  ';',
  ':',
  ' ',
  '\t',
  '%',
  '\\',
  '\r\n ',
  '\xff',
];

type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'duplicate-line'; at: number }
  | { kind: 'drop-line'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete'; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat(255) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('drop-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom(...INSERTS) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
);

function lineBounds(data: Buffer, at: number): [number, number] {
  const start = data.lastIndexOf(0x0a, at - 1) + 1;
  const lf = data.indexOf(0x0a, at);
  return [start, lf < 0 ? data.length : lf + 1];
}

function mutate(data: Buffer, m: Mutation): Buffer {
  if (data.length === 0) return m.kind === 'insert' ? Buffer.from(m.text, 'latin1') : data;
  const at = m.at % data.length;
  switch (m.kind) {
    case 'flip': {
      const out = Buffer.from(data);
      out[at] = m.byte;
      return out;
    }
    case 'truncate':
      return data.subarray(0, at);
    case 'duplicate-line': {
      const [start, end] = lineBounds(data, at);
      return Buffer.concat([data.subarray(0, end), data.subarray(start, end), data.subarray(end)]);
    }
    case 'drop-line': {
      const [start, end] = lineBounds(data, at);
      return Buffer.concat([data.subarray(0, start), data.subarray(end)]);
    }
    case 'insert':
      return Buffer.concat([data.subarray(0, at), Buffer.from(m.text, 'latin1'), data.subarray(at)]);
    case 'delete':
      return Buffer.concat([data.subarray(0, at), data.subarray(at + m.length)]);
  }
}

const torture = fc.constantFrom(...TORTURE);
const mutated = fc
  .tuple(fc.oneof(torture, wellFormed), fc.array(mutation, { minLength: 1, maxLength: 5 }))
  .map(([data, mutations]) => mutations.reduce(mutate, data));

// ---- Properties ----

function startLine(message: SipMessage): string {
  return message.kind === 'request'
    ? `${message.method} ${message.requestUriText}`
    : `${message.status} ${message.reason}`;
}

const withoutLength = (headers: readonly HeaderField[]) =>
  headers.filter((h) => h.key !== 'content-length').map((h) => [h.key, h.value]);

/**
 * parseMessage never throws; a message that parses comes back from serialise → parse with the same start line,
 * headers and body, and its serialisation is a fixed point. Content-Length is the one header the serialiser
 * rewrites: it is compared through the body it frames.
 */
function checkMessage(data: Uint8Array, lazy: boolean): boolean {
  const first = parseMessage(data, { lazy });
  if (!first.ok) {
    expect(first.error.reason.length).toBeGreaterThan(0);
    expect(first.error.status).toBeGreaterThanOrEqual(400);
    return false;
  }
  const wire = serializeMessage(first.message);
  const second = parseMessage(wire, { lazy });
  if (!second.ok) throw new Error(`re-parse failed: ${second.error.reason}\n${wire.toString('latin1')}`);
  expect(startLine(second.message)).toBe(startLine(first.message));
  expect(withoutLength(second.message.headers)).toEqual(withoutLength(first.message.headers));
  expect(Buffer.from(second.message.body).equals(Buffer.from(first.message.body))).toBe(true);
  expect(second.message.header('content-length')).toBe(String(first.message.body.length));
  expect(serializeMessage(second.message).equals(wire)).toBe(true);
  return true;
}

/** Runs a property and returns how many of its inputs parsed, to check the fuzzing reaches the code under test. */
function run<T>(arbitrary: fc.Arbitrary<T>, numRuns: number, check: (value: T) => boolean): number {
  let accepted = 0;
  fc.assert(
    fc.property(arbitrary, (value) => {
      if (check(value)) accepted++;
    }),
    { seed: SEED, numRuns },
  );
  return accepted;
}

describe('fuzz: parseMessage', () => {
  it(
    'random bytes never throw',
    () => {
      run(fc.uint8Array({ maxLength: 600 }), 3000, (bytes) => checkMessage(bytes, false));
      const sipish = fc.string({
        unit: fc.constantFrom(...'SIP/2.0 INVITE sip:a@b\r\n:;,<>"Via'),
        maxLength: 300,
      });
      run(sipish, 3000, (value) => checkMessage(Buffer.from(value), false));
    },
    TIMEOUT,
  );

  it(
    'every torture message and generated message round-trips',
    () => {
      let accepted = 0;
      for (const data of TORTURE) if (checkMessage(data, false)) accepted++;
      // 39 pass the packet path's essential checks (intmeth's quoted NUL is refused); strict validation also
      // rejects regbadct's Contact.
      expect(accepted).toBe(39);
      expect(TORTURE.filter((data) => parseMessage(data, { strict: true }).ok)).toHaveLength(38);
      let lazy = 0;
      for (const data of TORTURE) if (checkMessage(data, true)) lazy++;
      expect(lazy).toBeGreaterThanOrEqual(accepted);
      expect(run(wellFormed, 2000, (data) => checkMessage(data, false))).toBe(2000);
    },
    TIMEOUT,
  );

  it(
    'mutated messages never throw and round-trip when they parse',
    () => {
      const full = run(mutated, 5000, (data) => checkMessage(data, false));
      const lazy = run(mutated, 3000, (data) => checkMessage(data, true));
      // Enough mutants still parse for the round trip to be exercised.
      expect(full).toBeGreaterThan(300);
      expect(lazy).toBeGreaterThan(300);
    },
    TIMEOUT,
  );
});

describe('fuzz: salvageRequest', () => {
  const COPIED = ['via', 'from', 'to', 'call-id', 'cseq'];

  /** For input the parser refuses: no throw, only copied headers kept, and a 400 built from it has no NUL. */
  function checkSalvage(data: Uint8Array): boolean {
    if (parseMessage(data).ok) return false;
    const request = salvageRequest(data);
    if (!request) return false;
    expect(request.headers.every((field) => COPIED.includes(field.key))).toBe(true);
    expect(serializeMessage(createResponse(request, 400, { toTag: 't1' })).includes(0)).toBe(false);
    return true;
  }

  it(
    'never throws on refused input, and what it keeps can be answered without echoing a NUL',
    () => {
      const fromMutants = run(mutated, 4000, checkSalvage);
      run(fc.uint8Array({ maxLength: 600 }), 2000, checkSalvage);
      const withNul = fc
        .tuple(fc.oneof(torture, wellFormed), fc.nat(), fc.constantFrom('\0', 'a\0b', '"\\\0"'))
        .map(([data, at, text]) => mutate(data, { kind: 'insert', at, text }));
      const nulMutants = run(withNul, 2000, checkSalvage);
      // Enough refused messages are salvaged for the properties to be exercised.
      expect(fromMutants).toBeGreaterThan(300);
      expect(nulMutants).toBeGreaterThan(300);
    },
    TIMEOUT,
  );
});

describe('fuzz: URI, name-addr and Via parsers', () => {
  const uriAlphabet = fc.constantFrom(...'sip:tel+1@[]:;=?&%0123456789abcdefABCDEF.-_!~*\'()/$, <>"é');
  const noisy = (valid: fc.Arbitrary<string>) =>
    fc.oneof(
      valid,
      fc.string({ unit: uriAlphabet, maxLength: 60 }),
      fc
        .tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 }))
        .map(([value, mutations]) => mutations.reduce(mutate, Buffer.from(value)).toString('utf8')),
    );

  function sameUri(a: Uri, b: Uri): void {
    expect(b).toEqual(a);
  }

  it(
    'parseUri never throws, and formatUri(parseUri(x)) parses back to the same URI',
    () => {
      const accepted = run(noisy(uriText), 5000, (value) => {
        const first = parseUri(value);
        if (!first.ok) return false;
        const formatted = formatUri(first.value);
        const second = parseUri(formatted);
        if (!second.ok) throw new Error(`${value} → ${formatted}: ${second.error.reason}`);
        sameUri(first.value, second.value);
        expect(formatUri(second.value)).toBe(formatted);
        return true;
      });
      expect(accepted).toBeGreaterThan(1000);
    },
    TIMEOUT,
  );

  /** Display names '' and none mean the same; formatNameAddr writes neither. */
  const normal = (value: NameAddr) => ({ ...value, displayName: value.displayName || undefined });

  it(
    'parseNameAddr never throws, and formatNameAddr(parseNameAddr(x)) parses back the same',
    () => {
      const accepted = run(noisy(nameAddrText), 5000, (value) => {
        const first = parseNameAddr(value);
        if (!first.ok) return false;
        const formatted = formatNameAddr(first.value);
        const second = parseNameAddr(formatted);
        if (!second.ok) throw new Error(`${value} → ${formatted}: ${second.error.reason}`);
        expect(normal(second.value)).toEqual(normal(first.value));
        expect(formatNameAddr(second.value)).toBe(formatted);
        return true;
      });
      expect(accepted).toBeGreaterThan(1000);
    },
    TIMEOUT,
  );

  it(
    'parseVia never throws, and formatVia(parseVia(x)) parses back the same',
    () => {
      const accepted = run(noisy(viaText), 5000, (value) => {
        const first = parseVia(value);
        if (!first.ok) return false;
        const formatted = formatVia(first.value);
        const second = parseVia(formatted);
        if (!second.ok) throw new Error(`${value} → ${formatted}: ${second.error.reason}`);
        expect(second.value).toEqual(first.value);
        expect(formatVia(second.value)).toBe(formatted);
        return true;
      });
      expect(accepted).toBeGreaterThan(1000);
    },
    TIMEOUT,
  );
});

describe('fuzz: StreamFramer', () => {
  function feed(framer: StreamFramer, data: Buffer, cuts: readonly number[]): FramerEvent[] {
    const events: FramerEvent[] = [];
    let from = 0;
    for (const cut of [...cuts].sort((a, b) => a - b)) {
      const at = Math.min(cut, data.length);
      events.push(...framer.push(data.subarray(from, at)));
      from = at;
    }
    events.push(...framer.push(data.subarray(from)));
    return events;
  }

  const cuts = fc.array(fc.nat(4000), { maxLength: 30 });

  it(
    'never throws on random or mutated streams, and every message it frames is complete',
    () => {
      const stream = fc.oneof(
        fc.uint8Array({ maxLength: 1000 }).map((bytes) => Buffer.from(bytes)),
        fc.array(mutated, { minLength: 1, maxLength: 3 }).map((parts) => Buffer.concat(parts)),
      );
      run(fc.tuple(stream, cuts), 3000, ([data, at]) => {
        const events = feed(new StreamFramer({ maxHeaderBytes: 2048, maxBodyBytes: 4096 }), data, at);
        for (const event of events.slice(0, -1)) expect(event.kind).not.toBe('error');
        for (const event of events) {
          if (event.kind !== 'message') continue;
          // A framed message holds its empty line and exactly the body its Content-Length announces.
          const result = parseMessage(event.bytes, { lazy: true });
          if (result.ok) expect(result.message.body.length).toBe(result.message.contentLength);
        }
        return events.length > 0;
      });
    },
    TIMEOUT,
  );

  it(
    'frames generated messages, pings and pongs identically whatever the chunk boundaries',
    () => {
      type Unit = { kind: 'message'; bytes: Buffer } | { kind: 'ping' } | { kind: 'pong' };
      const units = fc.array(
        fc.tuple(
          wellFormed.map((bytes) => {
            // A stream needs Content-Length; the generator may have left it out.
            const parsed = parseMessage(bytes, { lazy: true });
            return parsed.ok ? serializeMessage(parsed.message) : Buffer.alloc(0);
          }),
          fc.constantFrom<'none' | 'ping' | 'pong'>('none', 'ping', 'pong'),
        ),
        { minLength: 1, maxLength: 4 },
      );
      run(fc.tuple(units, cuts), 2000, ([parts, at]) => {
        const expected: Unit[] = [];
        const wire: Buffer[] = [];
        // Keep-alives sit between messages, and a ping is never cut after its first CRLF (the documented ambiguity).
        const pingMiddles = new Set<number>();
        let length = 0;
        for (const [bytes, keepAlive] of parts) {
          if (bytes.length === 0) continue;
          wire.push(bytes);
          length += bytes.length;
          expected.push({ kind: 'message', bytes });
          if (keepAlive === 'ping') {
            pingMiddles.add(length + 2);
            wire.push(Buffer.from('\r\n\r\n'));
            length += 4;
            expected.push({ kind: 'ping' });
          } else if (keepAlive === 'pong') {
            wire.push(Buffer.from('\r\n'));
            length += 2;
            expected.push({ kind: 'pong' });
          }
        }
        const data = Buffer.concat(wire);
        const events = feed(
          new StreamFramer(),
          data,
          at.filter((cut) => !pingMiddles.has(cut)),
        );
        // Compared as text: deep equality over Buffers walks them byte by byte and would dominate the run time.
        const show = (e: FramerEvent | Unit) => (e.kind === 'message' ? e.bytes.toString('latin1') : e.kind);
        expect(events.map(show)).toEqual(expected.map(show));
        return true;
      });
    },
    TIMEOUT,
  );
});
