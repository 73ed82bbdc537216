// Keeps the SIPp scenarios in test/interop/sipp known-good before the softphone is put in front of them: the UAS
// scenarios against SIPp counterparts (test/interop/sipp/selftest), the UAC ones against Kamailio, which answers
// requests for a user whose registered Contact is Kamailio's own address by itself (RFC 3261 §8.2 checks).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peersAvailable } from './support/peers';
import { startKamailio, type KamailioHandle } from './support/kamailio';
import { parseMessageLog, runSipp, startSipp } from './support/sipp';
import { sendUdpRequest } from './support/sip-probe';

const peers = peersAvailable();

describe.skipIf(!peers.sipp)('SIPp UAS scenarios against SIPp', () => {
  it('uas-register-auth accepts a correct digest and a timely refresh', async () => {
    const uas = await startSipp({
      scenario: 'uas-register-auth.xml',
      keys: { user: 'alice', password: 'secret', realm: 'example.test' },
      timeoutSec: 15,
    });
    const uac = await runSipp({
      scenario: 'selftest/uac-register-refresh.xml',
      remote: `127.0.0.1:${uas.localPort}`,
      service: 'alice',
      auth: { username: 'alice', password: 'secret' },
      keys: { domain: 'example.test' },
      timeoutSec: 10,
    });
    const result = await uas.done();
    expect(uac.code, uac.errorLog).toBe(0);
    expect(result.code, result.errorLog).toBe(0);
    const sent = parseMessageLog(result.messageLog).filter((m) => m.direction === 'sent');
    expect(sent.map((m) => m.status)).toEqual([401, 200, 200]);
    expect(sent[0]!.header('WWW-Authenticate')).toMatch(/^Digest realm="example\.test".*qop="auth"/);
    expect(sent[1]!.header('Contact')).toMatch(/^<sip:alice@127\.0\.0\.1:\d+>;expires=5$/);
  });

  it('uas-register-auth refuses a wrong digest with 403 and fails', async () => {
    const uas = await startSipp({
      scenario: 'uas-register-auth.xml',
      keys: { user: 'alice', password: 'secret', realm: 'example.test' },
      timeoutSec: 15,
    });
    await runSipp({
      scenario: 'selftest/uac-register-refresh.xml',
      remote: `127.0.0.1:${uas.localPort}`,
      service: 'alice',
      auth: { username: 'alice', password: 'wrong' },
      keys: { domain: 'example.test' },
      timeoutSec: 10,
    });
    const result = await uas.done();
    expect(result.code).toBe(1);
    expect(parseMessageLog(result.messageLog).some((m) => m.status === 403)).toBe(true);
  });

  it('uas-register-423 asks for 120 s and accepts the retry that asks for it', async () => {
    const uas = await startSipp({ scenario: 'uas-register-423.xml', timeoutSec: 15 });
    const uac = await runSipp({
      scenario: 'selftest/uac-register-423.xml',
      remote: `127.0.0.1:${uas.localPort}`,
      service: 'alice',
      keys: { domain: 'example.test', expires: '30' },
      timeoutSec: 10,
    });
    const result = await uas.done();
    expect(uac.code, uac.errorLog).toBe(0);
    expect(result.code, result.errorLog).toBe(0);
    const sent = parseMessageLog(result.messageLog).filter((m) => m.direction === 'sent');
    expect(sent.map((m) => m.status)).toEqual([423, 200]);
    expect(sent[0]!.header('Min-Expires')).toBe('120');
  });

  it('uas-register-bad-contact answers a malformed Contact first, then a well-formed 200 to the retry', async () => {
    const uas = await startSipp({ scenario: 'uas-register-bad-contact.xml', timeoutSec: 15 });
    const uac = await runSipp({
      scenario: 'selftest/uac-register-twice.xml',
      remote: `127.0.0.1:${uas.localPort}`,
      service: 'alice',
      keys: { domain: 'example.test' },
      timeoutSec: 10,
    });
    const result = await uas.done();
    expect(uac.code, uac.errorLog).toBe(0);
    expect(result.code, result.errorLog).toBe(0);
    const sent = parseMessageLog(result.messageLog).filter((m) => m.direction === 'sent');
    expect(sent.map((m) => m.status)).toEqual([200, 200]);
    expect(sent[0]!.header('Contact')).toBe('<sip:x@>;expires=60');
    expect(sent[1]!.header('Contact')).toMatch(/^<sip:alice@127\.0\.0\.1:\d+>;expires=60$/);
  });

  it('uas-register-silent logs the REGISTER and never answers; stop() ends it with its log', async () => {
    const uas = await startSipp({ scenario: 'uas-register-silent.xml', timeoutSec: 40 });
    await expect(
      sendUdpRequest(
        uas.localPort,
        {
          method: 'REGISTER',
          requestUri: 'sip:example.test',
          from: 'sip:alice@example.test',
          to: 'sip:alice@example.test',
          extraHeaders: ['Contact: <sip:alice@127.0.0.1:9>', 'Expires: 60'],
        },
        { timeoutMs: 300 },
      ),
    ).rejects.toThrow(/no final response/);
    const result = await uas.stop();
    const messages = parseMessageLog(result.messageLog);
    expect(messages.map((m) => [m.direction, m.method])).toEqual([['received', 'REGISTER']]);
  });
});

describe.skipIf(!peers.sipp || !peers.kamailio)('SIPp UAC scenarios against Kamailio', () => {
  let kamailio: KamailioHandle;

  beforeAll(async () => {
    kamailio = await startKamailio({ users: [{ username: 'alice', password: 'secret' }] });
    // alice's Contact is Kamailio itself: requests for alice spiral back and Kamailio answers them as a UAS.
    const registered = await runSipp({
      scenario: 'selftest/uac-register-contact.xml',
      remote: `${kamailio.host}:${kamailio.port}`,
      service: 'alice',
      auth: { username: 'alice', password: 'secret' },
      keys: { domain: kamailio.domain, contact: `sip:${kamailio.host}:${kamailio.port}` },
      timeoutSec: 10,
    });
    expect(registered.code, registered.errorLog).toBe(0);
  });

  afterAll(async () => {
    await kamailio?.stop();
  });

  async function runAgainstKamailio(scenario: string) {
    const result = await runSipp({
      scenario,
      remote: `${kamailio.host}:${kamailio.port}`,
      service: 'alice',
      timeoutSec: 10,
    });
    expect(result.code, `${result.errorLog}\n${await kamailio.readLog()}`).toBe(0);
    return parseMessageLog(result.messageLog);
  }

  it('uac-options gets 200 with Allow', async () => {
    const messages = await runAgainstKamailio('uac-options.xml');
    expect(messages.find((m) => m.status === 200)?.header('Allow')).toMatch(/OPTIONS/);
  });

  it('uac-unknown-method gets 501 with Allow', async () => {
    const messages = await runAgainstKamailio('uac-unknown-method.xml');
    expect(messages.find((m) => m.status === 501)?.header('Allow')).toMatch(/INVITE/);
  });

  it('uac-require-foo gets 420 with Unsupported: foo', async () => {
    const messages = await runAgainstKamailio('uac-require-foo.xml');
    expect(messages.find((m) => m.status === 420)?.header('Unsupported')).toBe('foo');
  });

  it('uac-malformed: the server survives and answers the 11-digit CSeq with 400', async () => {
    const messages = await runAgainstKamailio('uac-malformed.xml');
    const answers = (prefix: string) =>
      messages.filter((m) => m.direction === 'received' && m.header('Call-ID')?.startsWith(prefix));
    expect(answers('cseq11-').map((m) => m.status)).toEqual([400]);
    // Kamailio 5.6 accepts CSeq 4294967296 (answers 200): a UA under test must not, which is why the
    // softphone's tests look at answers('cseq32-') too.
    expect(
      messages.filter((m) => m.direction === 'received' && m.status === 200).length,
    ).toBeGreaterThanOrEqual(2);
  });
});
