// Proves the interop harness itself (support/kamailio.ts, support/sipp.ts, kamailio/registrar.cfg) with SIPp as
// the UA, before the softphone is put in front of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peersAvailable, startKamailio, type KamailioHandle } from './support/kamailio';
import { parseMessageLog, runSipp, startSipp } from './support/sipp';
import { createHash } from 'node:crypto';
import { openRawTcp, parseProbeResponse, sendUdpRequest } from './support/sip-probe';
import { isTcpPortFree, isUdpPortFree } from './support/ports';
import { liveProcessesInGroup } from './support/processes';

const peers = peersAvailable();

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

function register(user: string, cseq: number, contact: string, authorization?: string): string {
  return [
    'REGISTER sip:example.test SIP/2.0',
    `Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bKtcp${cseq}`,
    'Max-Forwards: 70',
    `From: <sip:${user}@example.test>;tag=tcp1`,
    `To: <sip:${user}@example.test>`,
    'Call-ID: tcp-registration-1',
    `CSeq: ${cseq} REGISTER`,
    `Contact: <${contact}>`,
    'Expires: 300',
    ...(authorization ? [`Authorization: ${authorization}`] : []),
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

describe.skipIf(!peers.kamailio || !peers.sipp)('Kamailio registrar harness', () => {
  let kamailio: KamailioHandle;

  beforeAll(async () => {
    kamailio = await startKamailio({
      users: [
        { username: 'alice', password: 'secret' },
        { username: 'bob', password: "it's-bob" },
        { username: 'carol', password: 'carol-pw' },
      ],
      minExpires: 60,
    });
  });

  afterAll(async () => {
    await kamailio?.stop();
  });

  it('registers a UA that answers the 401 digest challenge, and lists the binding', async () => {
    const result = await runSipp({
      scenario: 'uac-register-auth.xml',
      remote: `${kamailio.host}:${kamailio.port}`,
      service: 'alice',
      auth: { username: 'alice', password: 'secret' },
      keys: { domain: kamailio.domain, expires: '600' },
      timeoutSec: 10,
    });
    expect(result.code, result.errorLog).toBe(0);

    const [challenge] = result.messageLog.match(/WWW-Authenticate: .*/) ?? [];
    expect(challenge).toMatch(/Digest realm="example\.test"/);
    expect(challenge).toMatch(/qop="auth"/);
    expect(challenge).toMatch(/algorithm=MD5/);

    const bindings = await kamailio.ulDump();
    const alice = bindings.filter((b) => b.aor === 'alice');
    expect(alice).toHaveLength(1);
    expect(alice[0]!.contact).toMatch(/^sip:alice@127\.0\.0\.1:\d+;transport=UDP$/);
    expect(alice[0]!.expires).toBeGreaterThan(590);
    expect(alice[0]!.userAgent).toBe('sipp-interop');
    expect(alice[0]!.socket).toBe(`udp:127.0.0.1:${kamailio.port}`);
  });

  it('registers over TCP on the same port', async () => {
    const result = await runSipp({
      scenario: 'uac-register-auth.xml',
      remote: `${kamailio.host}:${kamailio.port}`,
      transport: 'tcp',
      service: 'bob',
      auth: { username: 'bob', password: "it's-bob" },
      keys: { domain: kamailio.domain, expires: '300' },
      timeoutSec: 10,
    });
    expect(result.code, result.errorLog).toBe(0);
    const bob = (await kamailio.ulDump()).filter((b) => b.aor === 'bob');
    expect(bob).toHaveLength(1);
    expect(bob[0]!.socket).toBe(`tcp:127.0.0.1:${kamailio.port}`);
    expect(bob[0]!.contact).toMatch(/transport=TCP$/);
  });

  it('challenges again when the password is wrong, and binds nothing', async () => {
    await kamailio.rpc('ul.rm', 'location', 'alice');
    const result = await runSipp({
      scenario: 'selftest/uac-register-bad-auth.xml',
      remote: `${kamailio.host}:${kamailio.port}`,
      service: 'alice',
      auth: { username: 'alice', password: 'not-the-secret' },
      keys: { domain: kamailio.domain },
      timeoutSec: 10,
    });
    expect(result.code, result.errorLog).toBe(0);
    expect((await kamailio.ulDump()).filter((b) => b.aor === 'alice')).toEqual([]);
  });

  it('answers 423 with Min-Expires below min_expires, then accepts the minimum', async () => {
    await kamailio.rpc('ul.rm', 'location', 'alice');
    const result = await runSipp({
      scenario: 'selftest/uac-register-423-auth.xml',
      remote: `${kamailio.host}:${kamailio.port}`,
      service: 'alice',
      auth: { username: 'alice', password: 'secret' },
      keys: { domain: kamailio.domain, expires: '30' },
      timeoutSec: 10,
    });
    expect(result.code, result.errorLog).toBe(0);
    expect(result.messageLog).toMatch(/^Min-Expires: 60\r?$/m);
    const alice = (await kamailio.ulDump()).filter((b) => b.aor === 'alice');
    expect(alice).toHaveLength(1);
    expect(alice[0]!.expires).toBeGreaterThan(55);
    expect(alice[0]!.expires).toBeLessThanOrEqual(60);
  });

  it('challenges initial requests from local users with 407 and refuses open relaying', async () => {
    const message = await sendUdpRequest(kamailio.port, {
      method: 'MESSAGE',
      requestUri: kamailio.uri('bob'),
      from: kamailio.uri('alice'),
      to: kamailio.uri('bob'),
      extraHeaders: ['Content-Type: text/plain'],
      body: 'hi',
    });
    expect(message.status).toBe(407);
    expect(message.header('Proxy-Authenticate')).toMatch(/^Digest realm="example\.test".*qop="auth"/);

    const relay = await sendUdpRequest(kamailio.port, {
      method: 'MESSAGE',
      requestUri: 'sip:carol@elsewhere.test',
      from: 'sip:mallory@127.0.0.2',
      to: 'sip:carol@elsewhere.test',
    });
    expect(relay.status).toBe(403);

    const unknown = await sendUdpRequest(kamailio.port, {
      method: 'OPTIONS',
      requestUri: kamailio.uri('nobody'),
      from: 'sip:mallory@127.0.0.2',
      to: kamailio.uri('nobody'),
    });
    expect(unknown.status).toBe(404);
  });

  it('proxies a call to a registered contact: Record-Route, then ACK and BYE along the route set', async () => {
    const callee = await startSipp({ scenario: 'selftest/uas-call.xml', timeoutSec: 10 });
    const registered = await runSipp({
      scenario: 'selftest/uac-register-contact.xml',
      remote: `${kamailio.host}:${kamailio.port}`,
      service: 'carol',
      auth: { username: 'carol', password: 'carol-pw' },
      keys: { domain: kamailio.domain, contact: `sip:carol@127.0.0.1:${callee.localPort}` },
      timeoutSec: 10,
    });
    expect(registered.code, registered.errorLog).toBe(0);

    // The caller is not a local user, so Kamailio does not challenge the INVITE.
    const caller = await runSipp({
      scenario: 'selftest/uac-call.xml',
      remote: `${kamailio.host}:${kamailio.port}`,
      service: 'carol',
      timeoutSec: 10,
    });
    const answered = await callee.done();
    expect(caller.code, caller.errorLog).toBe(0);
    expect(answered.code, answered.errorLog).toBe(0);
    const received = parseMessageLog(answered.messageLog).filter((m) => m.direction === 'received');
    expect(received.map((m) => m.method)).toEqual(['INVITE', 'ACK', 'BYE']);
    expect(received[0]!.header('Record-Route')).toMatch(
      new RegExp(`^<sip:127\\.0\\.0\\.1:${kamailio.port};lr`),
    );
  });

  it('sends requests for a TCP-registered UA back over its own connection', async () => {
    // The Contact names a port nobody listens on: only the registration's connection can reach the UA.
    const tcp = await openRawTcp(kamailio.port);
    try {
      const contact = 'sip:alice@127.0.0.1:9;transport=tcp';
      tcp.send(register('alice', 1, contact));
      const challenge = parseProbeResponse(await tcp.next())!;
      expect(challenge.status).toBe(401);
      const nonce = /nonce="([^"]+)"/.exec(challenge.header('WWW-Authenticate') ?? '')![1]!;
      const ha1 = md5('alice:example.test:secret');
      const ha2 = md5('REGISTER:sip:example.test');
      const response = md5(`${ha1}:${nonce}:00000001:c0ffee:auth:${ha2}`);
      tcp.send(
        register(
          'alice',
          2,
          contact,
          `Digest username="alice", realm="example.test", nonce="${nonce}", uri="sip:example.test", ` +
            `response="${response}", algorithm=MD5, cnonce="c0ffee", qop=auth, nc=00000001`,
        ),
      );
      const ok = parseProbeResponse(await tcp.next())!;
      expect(ok.status).toBe(200);
      expect(ok.header('Contact')).toContain(`received="sip:127.0.0.1:${tcp.localPort};transport=tcp"`);

      const answered = sendUdpRequest(kamailio.port, {
        method: 'OPTIONS',
        requestUri: kamailio.uri('alice'),
        from: 'sip:carol@127.0.0.2',
        to: kamailio.uri('alice'),
      });
      const forwarded = await tcp.next();
      expect(forwarded).toMatch(/^OPTIONS sip:alice@127\.0\.0\.1:9;transport=tcp SIP\/2\.0\r\n/);
      const copied = forwarded
        .split('\r\n')
        .filter((line) => /^(Via|From|To|Call-ID|CSeq):/i.test(line))
        .join('\r\n');
      tcp.send(`SIP/2.0 200 OK\r\n${copied}\r\nContent-Length: 0\r\n\r\n`);
      expect((await answered).status).toBe(200);
    } finally {
      tcp.close();
    }
  });

  it('restarts on the same port with usrloc emptied, after a crash too', async () => {
    const port = kamailio.port;
    const firstPid = kamailio.pid;
    await kamailio.kill('SIGKILL');
    expect(kamailio.pid).toBeUndefined();
    expect(liveProcessesInGroup(firstPid!)).toEqual([]);
    await kamailio.restart();
    expect(kamailio.pid).not.toBe(firstPid);
    expect(kamailio.port).toBe(port);
    expect(await kamailio.ulDump()).toEqual([]);

    const result = await runSipp({
      scenario: 'uac-register-auth.xml',
      remote: `${kamailio.host}:${kamailio.port}`,
      service: 'alice',
      auth: { username: 'alice', password: 'secret' },
      keys: { domain: kamailio.domain, expires: '600' },
      timeoutSec: 10,
    });
    expect(result.code, result.errorLog).toBe(0);
    expect((await kamailio.ulDump()).map((b) => b.aor)).toEqual(['alice']);
  });

  it('stop leaves no process and frees the ports', async () => {
    const pgid = kamailio.pid!;
    await kamailio.stop();
    expect(liveProcessesInGroup(pgid)).toEqual([]);
    expect(await isUdpPortFree(kamailio.port)).toBe(true);
    expect(await isTcpPortFree(kamailio.port)).toBe(true);
  });
});
