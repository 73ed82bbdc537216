import { describe, expect, it } from 'vitest';
import type { SipRequest, SipResponse } from '../../../main/sip/message/message';
import { createResponse } from '../../../main/sip/message/builders';
import { parseMessage } from '../../../main/sip/message/parse';
import { UasCore } from '../../../main/ua/uas-core';

function request(lines: string[]): SipRequest {
  const parsed = parseMessage(`${lines.join('\r\n')}\r\n\r\n`);
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error(JSON.stringify(parsed));
  return parsed.message;
}

function basic(method: string, extra: string[] = [], requestUri = 'sip:bob@127.0.0.1:5086'): SipRequest {
  return request([
    `${method} ${requestUri} SIP/2.0`,
    'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-test1;rport',
    'Max-Forwards: 70',
    'From: <sip:alice@example.test>;tag=a1',
    'To: <sip:bob@example.test>',
    'Call-ID: uas-core-test',
    `CSeq: 1 ${method}`,
    ...extra,
    'Content-Length: 0',
  ]);
}

function answer(core: UasCore, req: SipRequest): SipResponse[] {
  const responses: SipResponse[] = [];
  core.receive(req, { respond: (response) => responses.push(response) });
  return responses;
}

function newCore(supported: string[] = []): UasCore {
  let n = 0;
  return new UasCore({ newTag: () => `tag${++n}`, supported, userAgent: 'softphone-test' });
}

describe('UasCore', () => {
  it('answers OPTIONS with 200 and our capabilities (RFC 3261 §11.2)', () => {
    const [response] = answer(newCore(), basic('OPTIONS'));
    expect(response?.status).toBe(200);
    expect(response?.allow).toEqual(expect.arrayContaining(['OPTIONS', 'ACK', 'CANCEL']));
    expect(response?.header('accept')).toBe('application/sdp');
    expect(response?.to.tag).toBe('tag1');
    expect(response?.header('server')).toBe('softphone-test');
    expect(response?.callId).toBe('uas-core-test');
    expect(response?.via[0]?.branch).toBe('z9hG4bK-test1');
  });

  it('answers an unknown method with 501 and Allow (RFC 3261 §8.2.1)', () => {
    const [response] = answer(newCore(), basic('FOOBAR'));
    expect(response?.status).toBe(501);
    expect(response?.allow).toContain('OPTIONS');
  });

  it('answers a known method it does not take with 405 and Allow', () => {
    const [response] = answer(newCore(), basic('REGISTER'));
    expect(response?.status).toBe(405);
    expect(response?.allow).toContain('OPTIONS');
  });

  it('answers Require with an unknown option tag with 420 listing it (RFC 3261 §8.2.2.3)', () => {
    const [response] = answer(newCore(), basic('OPTIONS', ['Require: foo']));
    expect(response?.status).toBe(420);
    expect(response?.unsupported).toEqual(['foo']);
  });

  it('lists every unsupported tag and accepts the supported ones (RFC 4475 §3.3.5)', () => {
    const core = newCore(['replaces']);
    const [response] = answer(
      core,
      basic('OPTIONS', ['Require: replaces, nothingsupportsthis, nothingsupportsthis2']),
    );
    expect(response?.status).toBe(420);
    expect(response?.unsupported).toEqual(['nothingsupportsthis', 'nothingsupportsthis2']);
    expect(answer(core, basic('OPTIONS', ['Require: replaces']))[0]?.status).toBe(200);
  });

  it('answers an unknown Request-URI scheme with 416 (RFC 3261 §8.2.2.1, RFC 4475 §3.3.2)', () => {
    const [response] = answer(newCore(), basic('OPTIONS', [], 'nobodyknowsthisscheme:totallyopaquecontent'));
    expect(response?.status).toBe(416);
  });

  it('accepts tel: Request-URIs', () => {
    expect(answer(newCore(), basic('OPTIONS', [], 'tel:+15551234567'))[0]?.status).toBe(200);
  });

  it('answers a request for a dialog it does not know with 481 (RFC 3261 §12.2.2)', () => {
    const req = request([
      'BYE sip:bob@127.0.0.1:5086 SIP/2.0',
      'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-bye',
      'Max-Forwards: 70',
      'From: <sip:alice@example.test>;tag=a1',
      'To: <sip:bob@example.test>;tag=b1',
      'Call-ID: no-such-dialog',
      'CSeq: 2 BYE',
      'Content-Length: 0',
    ]);
    const [response] = answer(newCore(), req);
    expect(response?.status).toBe(481);
    expect(response?.to.tag).toBe('b1');
  });

  it('sends nothing for an ACK that matches nothing', () => {
    expect(answer(newCore(), basic('ACK'))).toHaveLength(0);
  });

  it('routes a method to its handler and reports a failing handler as 500', () => {
    const core = newCore();
    const seen: string[] = [];
    core.handle('MESSAGE', (req) => {
      seen.push(req.method);
      throw new Error('boom');
    });
    const [response] = answer(core, basic('MESSAGE'));
    expect(seen).toEqual(['MESSAGE']);
    expect(response?.status).toBe(500);
    expect(core.allow).toContain('MESSAGE');
  });

  it('lets an observer see every request before it is answered', () => {
    const core = newCore();
    const seen: string[] = [];
    core.observe((req) => seen.push(req.method));
    answer(core, basic('OPTIONS'));
    answer(core, basic('FOOBAR'));
    expect(seen).toEqual(['OPTIONS', 'FOOBAR']);
  });

  it('answers OPTIONS with Max-Forwards: 0, since it is the target (RFC 4475 §3.3.11)', () => {
    const req = request([
      'OPTIONS sip:user@example.com SIP/2.0',
      'To: sip:user@example.com',
      'From: sip:caller@example.net;tag=3ghsd41',
      'Call-ID: zeromf.1@example.net',
      'CSeq: 1 OPTIONS',
      'Max-Forwards: 0',
      'Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw',
      'l: 0',
    ]);
    expect(answer(newCore(), req)[0]?.status).toBe(200);
  });

  it('answers 400 when a handler meets a malformed header the packet path did not check', () => {
    const core = newCore();
    core.handle('MESSAGE', (req) => void req.contact);
    const [response] = answer(core, basic('MESSAGE', ['Contact: <sip:a@h>;expires=soon']));
    expect(response?.status).toBe(400);
    expect(response?.reason).toMatch(/Contact/);
  });

  it('advertises one list in OPTIONS and 405: the methods it takes, and never the refused one', () => {
    const core = newCore();
    expect(core.allow).toEqual(['INVITE', 'ACK', 'CANCEL', 'OPTIONS']);
    const [options] = answer(core, basic('OPTIONS'));
    expect(options?.allow).toEqual(core.allow);
    for (const method of ['MESSAGE', 'SUBSCRIBE', 'REFER', 'NOTIFY', 'BYE', 'REGISTER']) {
      const [refused] = answer(core, basic(method));
      expect(refused?.status).toBe(405);
      expect(refused?.allow).toEqual(core.allow);
      expect(refused?.allow).not.toContain(method);
    }
  });

  it('grows the advertised list when a usage takes a method, in the conventional order', () => {
    const core = newCore();
    core.handle('MESSAGE', () => undefined);
    core.handle('BYE', () => undefined);
    expect(core.allow).toEqual(['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'MESSAGE']);
    expect(answer(core, basic('OPTIONS'))[0]?.allow).toEqual(core.allow);
  });

  it('answers an INVITE with 480 and Retry-After until a call usage takes INVITEs', () => {
    const core = newCore();
    const [response] = answer(core, basic('INVITE'));
    expect(response?.status).toBe(480);
    expect(response?.reason).toBe('Temporarily Unavailable');
    expect(response?.retryAfter?.seconds).toBe(300);
    expect(response?.to.tag).toBe('tag1');
    core.handle('INVITE', (_req, transaction) => transaction.respond(createResponse(_req, 180)));
    expect(answer(core, basic('INVITE'))[0]?.status).toBe(180);
  });

  describe('event packages (RFC 6665)', () => {
    const notify = (event: string | undefined, toTag = 'ours'): SipRequest =>
      request([
        'NOTIFY sip:alice@127.0.0.1:5086 SIP/2.0',
        'Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-n1',
        'From: <sip:bob@example.test>;tag=b1',
        `To: <sip:alice@example.test>;tag=${toTag}`,
        'Call-ID: subscription-1',
        'CSeq: 1 NOTIFY',
        ...(event !== undefined ? [`Event: ${event}`] : []),
        'Subscription-State: active',
        'Content-Length: 0',
      ]);

    it('routes a NOTIFY by its package, even before any dialog exists (§4.1.2.4)', () => {
      const core = newCore();
      const seen: string[] = [];
      core.handleEvent('NOTIFY', 'presence', (req, transaction) => {
        seen.push(req.callId);
        transaction.respond(createResponse(req, 200));
      });
      const [response] = answer(core, notify('Presence;id=1'));
      expect(response?.status).toBe(200);
      expect(seen).toEqual(['subscription-1']);
      expect(core.allow).toContain('NOTIFY');
      expect(core.allowEvents('NOTIFY')).toEqual(['presence']);
    });

    it('answers 489 with Allow-Events for a package nobody takes, or none (§8.3.2)', () => {
      const core = newCore();
      core.handleEvent('NOTIFY', 'presence', () => {
        throw new Error('not this one');
      });
      for (const event of ['dialog', undefined]) {
        const [response] = answer(core, notify(event));
        expect(response?.status).toBe(489);
        expect(response?.header('allow-events')).toBe('presence');
      }
    });

    it('leaves other packages to the method handler (the call usage takes refer)', () => {
      const core = newCore();
      core.setDialogLookup(() => true);
      core.handleEvent('NOTIFY', 'presence', () => {
        throw new Error('not this one');
      });
      const refer: string[] = [];
      core.handle('NOTIFY', (req, transaction) => {
        refer.push(req.header('event') ?? '');
        transaction.respond(createResponse(req, 200));
      });
      const [response] = answer(core, notify('refer'));
      expect(response?.status).toBe(200);
      expect(refer).toEqual(['refer']);
    });
  });
});
