// SIPp against the softphone: SIPp as a registrar (401 → authorized REGISTER → 200 → refresh; 423 → Min-Expires;
// a 200 with a malformed Contact → failure and retry; silence → Timer E/F retransmissions) and as a UAC poking the
// UAS core (OPTIONS, INVITE → 480, unknown method, Require: foo, malformed requests).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { peersAvailable } from './support/peers';
import { type SoftphoneProcess, runSoftphone } from './support/softphone-cli';
import { parseMessageLog, runSipp, startSipp } from './support/sipp';

const peers = peersAvailable();
const running: SoftphoneProcess[] = [];

afterEach(() => {
  for (const cli of running.splice(0)) cli.kill();
});

function softphone(args: string[]): SoftphoneProcess {
  const cli = runSoftphone(args);
  running.push(cli);
  return cli;
}

describe.skipIf(!peers.sipp)('softphone register against SIPp registrars', () => {
  it('uas-register-auth: 401 → authorized REGISTER → 200 (Expires 5) → refresh before expiry', async () => {
    const uas = await startSipp({
      scenario: 'uas-register-auth.xml',
      keys: { user: 'alice', password: 'secret', realm: 'example.test' },
      timeoutSec: 20,
    });
    const cli = softphone([
      'register',
      '--aor',
      'sip:alice@example.test',
      '--password',
      'secret',
      '--proxy',
      `sip:127.0.0.1:${uas.localPort}`,
      '--bind',
      '127.0.0.1:0',
      '--expires',
      '5',
    ]);
    const result = await uas.done();
    expect(result.code, result.errorLog + cli.stderr).toBe(0);
    const received = parseMessageLog(result.messageLog).filter((m) => m.direction === 'received');
    expect(received.map((m) => m.method)).toEqual(['REGISTER', 'REGISTER', 'REGISTER']);
    expect(received[1]!.header('Authorization')).toMatch(/^Digest username="alice", realm="example.test"/);
    // The refresh came within the 5 s lifetime.
    expect(received[2]!.time - received[1]!.time).toBeLessThan(5_000);
    expect(cli.registrationStates()).toContain('registered');
  });

  it('uas-register-423: retries with the Min-Expires the registrar demands', async () => {
    const uas = await startSipp({ scenario: 'uas-register-423.xml', timeoutSec: 15 });
    const cli = softphone([
      'register',
      '--aor',
      'sip:alice@example.test',
      '--password',
      'secret',
      '--proxy',
      `sip:127.0.0.1:${uas.localPort}`,
      '--bind',
      '127.0.0.1:0',
      '--expires',
      '30',
    ]);
    const result = await uas.done();
    expect(result.code, result.errorLog + cli.stderr).toBe(0);
    const registered = await cli.waitFor((e) => e['state'] === 'registered');
    expect(registered['expires']).toBe(120);
  });

  it('uas-register-bad-contact: a 200 with a malformed Contact fails with a retry, and the retry registers', async () => {
    const uas = await startSipp({ scenario: 'uas-register-bad-contact.xml', timeoutSec: 20 });
    const cli = softphone([
      'register',
      '--aor',
      'sip:alice@example.test',
      '--password',
      'secret',
      '--proxy',
      `sip:127.0.0.1:${uas.localPort}`,
      '--bind',
      '127.0.0.1:0',
      '--retry-base',
      '1',
    ]);
    const failed = await cli.waitFor((e) => e['state'] === 'failed');
    expect(failed).toMatchObject({ reason: 'server-error', status: 200 });
    expect(String(failed['detail'])).toMatch(/malformed Contact/);
    expect(failed['retryInMs']).toBeGreaterThan(0);
    const registered = await cli.waitFor((e) => e['state'] === 'registered');
    expect(registered['expires']).toBe(60);
    const result = await uas.done();
    expect(result.code, result.errorLog + cli.stderr).toBe(0);
    expect(cli.registrationStates()).toEqual(['registering', 'failed', 'registering', 'registered']);
  });

  it('uas-register-silent: retransmits on Timer E (500 ms doubling to T2 = 4 s) until it gives up', async () => {
    const uas = await startSipp({ scenario: 'uas-register-silent.xml', timeoutSec: 40 });
    const cli = softphone([
      'register',
      '--aor',
      'sip:alice@example.test',
      '--password',
      'secret',
      '--proxy',
      `sip:127.0.0.1:${uas.localPort}`,
      '--bind',
      '127.0.0.1:0',
      '--retry-base',
      '60',
    ]);
    // Timer F (64*T1 = 32 s) ends the transaction: the UA reports a timeout and schedules a retry.
    const failed = await cli.waitFor((e) => e['state'] === 'failed', 40_000);
    expect(failed).toMatchObject({ reason: 'timeout', status: 408 });
    const result = await uas.stop();
    const times = parseMessageLog(result.messageLog)
      .filter((m) => m.direction === 'received' && m.method === 'REGISTER')
      .map((m) => m.time);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // RFC 3261 §17.1.2.2: 0.5, 1, 2, 4, then every 4 s (T2) until 32 s: 11 sends in all.
    const expected = [500, 1000, 2000, 4000, 4000, 4000, 4000, 4000, 4000, 4000];
    expect(gaps).toHaveLength(expected.length);
    gaps.forEach((gap, i) => expect(Math.abs(gap - expected[i]!)).toBeLessThan(200));
  }, 60_000);
});

describe.skipIf(!peers.sipp)('SIPp UAC scenarios against softphone listen', () => {
  let cli: SoftphoneProcess;
  let port: number;

  beforeAll(async () => {
    cli = runSoftphone(['listen', '--bind', '127.0.0.1:0']);
    port = await cli.port();
  });

  afterAll(async () => {
    expect(await cli.quit()).toBe(0);
  });

  async function scenario(name: string) {
    const result = await runSipp({
      scenario: name,
      remote: `127.0.0.1:${port}`,
      service: 'alice',
      timeoutSec: 10,
    });
    return { result, messages: parseMessageLog(result.messageLog) };
  }

  it('uac-options: 200 with Allow', async () => {
    const { result, messages } = await scenario('uac-options.xml');
    expect(result.code, result.errorLog).toBe(0);
    const answer = messages.find((m) => m.direction === 'received' && m.status === 200);
    // What we advertise is what the UAS core takes: nothing it would answer with 405.
    expect(answer?.header('Allow')).toBe('INVITE, ACK, CANCEL, OPTIONS');
    expect(answer?.header('Accept')).toBe('application/sdp');
  });

  it('uac-invite-480: an INVITE gets 480 with Retry-After while calls do not exist, and its ACK is absorbed', async () => {
    const { result, messages } = await scenario('uac-invite-480.xml');
    expect(result.code, result.errorLog).toBe(0);
    const answers = messages.filter((m) => m.direction === 'received' && m.status !== undefined);
    expect(answers.map((m) => m.status)).toEqual([480]);
    expect(Number(answers[0]!.header('Retry-After'))).toBeGreaterThan(0);
  });

  it('uac-unknown-method: 501 with Allow', async () => {
    const { result, messages } = await scenario('uac-unknown-method.xml');
    expect(result.code, result.errorLog).toBe(0);
    const answer = messages.find((m) => m.direction === 'received' && m.status !== undefined);
    expect(answer?.status).toBe(501);
    expect(answer?.header('Allow')).toContain('OPTIONS');
  });

  it('uac-require-foo: 420 with Unsupported: foo', async () => {
    const { result, messages } = await scenario('uac-require-foo.xml');
    expect(result.code, result.errorLog).toBe(0);
    const answer = messages.find((m) => m.direction === 'received' && m.status !== undefined);
    expect(answer?.status).toBe(420);
    expect(answer?.header('Unsupported')).toBe('foo');
  });

  it('uac-malformed: 400 for out-of-range CSeqs, silence where no answer can be built, and still alive', async () => {
    const { result, messages } = await scenario('uac-malformed.xml');
    expect(result.code, result.errorLog).toBe(0);
    const answers = (prefix: string) =>
      messages
        .filter((m) => m.direction === 'received' && m.header('Call-ID')?.startsWith(prefix))
        .map((m) => m.status);
    // RFC 4475 §3.1.2.4: CSeq beyond 2^32-1 is malformed → 400 (baresip and Kamailio answer 200 here).
    expect(answers('cseq32-')).toEqual([400]);
    expect(answers('cseq11-')).toEqual([400]);
    expect(messages.filter((m) => m.direction === 'received' && m.status === 200)).toHaveLength(2);
    expect(cli.events.filter((e) => e.event === 'request').length).toBeGreaterThanOrEqual(2);
  });
});
