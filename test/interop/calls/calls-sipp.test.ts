// The call usage against SIPp on 127.0.0.1: the real UserAgent (node sockets, system clock) with a recording media
// port, calling SIPp far ends that answer, refuse, challenge, fork, retransmit their 2xx or stay silent, and taking
// calls from SIPp callers that CANCEL or hang up.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SystemClock } from '../../../main/platform/clock';
import { NodeSocketFactory } from '../../../main/platform/node-sockets';
import { CryptoRandom } from '../../../main/platform/random';
import { type SipUri, parseUri } from '../../../main/sip/message/uri';
import type { TimerSettings } from '../../../main/sip/transaction/timers';
import type { Call } from '../../../main/ua/call/call';
import type { CallEnd } from '../../../main/ua/call/call-state';
import type { CallUsageOptions } from '../../../main/ua/call/call-usage';
import { UserAgent } from '../../../main/ua/user-agent';
import { RecordingMedia } from '../../support/recording-media';
import { LOOPBACK } from '../support/ports';
import { parseMessageLog, peersAvailable, startSipp } from '../support/sipp';

const peers = peersAvailable();
const SCENARIOS = join(import.meta.dirname, 'scenarios');
const agents: UserAgent[] = [];

afterEach(async () => {
  for (const agent of agents.splice(0)) await agent.shutdown(500);
});

function uri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.value as SipUri;
}

async function startAgent(
  timers?: Partial<TimerSettings>,
  options: Omit<CallUsageOptions, 'media'> = {},
): Promise<{ ua: UserAgent; media: RecordingMedia }> {
  const random = new CryptoRandom();
  const ua = await UserAgent.start({
    sockets: new NodeSocketFactory(),
    clock: new SystemClock(),
    random,
    bindAddress: LOOPBACK,
    port: 0,
    protocols: ['udp'],
    ...(timers ? { timers } : {}),
  });
  agents.push(ua);
  const media = new RecordingMedia({ address: LOOPBACK, random });
  ua.installCalls({ ...options, media: media.factory });
  return { ua, media };
}

/** Resolves when the call reaches `state` (or ends), rejecting after `timeoutMs`. */
function reach(call: Call, state: Call['state'], timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (call.state === state) return resolve();
    const timer = setTimeout(
      () => reject(new Error(`call stayed ${call.state}, wanted ${state}`)),
      timeoutMs,
    );
    call.on('state', (change) => {
      if (change.to === state || change.to === 'ended') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function ended(call: Call, timeoutMs = 10_000): Promise<CallEnd> {
  return reach(call, 'ended', timeoutMs).then(() => call.end!);
}

/** Resolves once `condition` holds (checked every 50 ms), rejecting after `timeoutMs`. */
function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (condition()) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`condition not met within ${timeoutMs} ms`));
      }
    }, 50);
  });
}

function scenario(name: string): string {
  return join(SCENARIOS, name);
}

describe.skipIf(!peers.sipp)('our UAC against SIPp far ends', () => {
  it('uas-answer: rings, answers, we ACK, then hang up with BYE', async () => {
    const { ua, media } = await startAgent();
    const sipp = await startSipp({ scenario: scenario('uas-answer.xml'), timeoutSec: 15 });
    const call = ua.calls!.dial(uri(`sip:bob@${LOOPBACK}:${sipp.localPort}`));
    await reach(call, 'connected');
    expect(call.state).toBe('connected');
    expect(media.lastMedia).toMatchObject({ codec: { name: 'pcmu' }, remoteRtp: { port: sipp.mediaPort } });
    call.hangup();
    expect(await ended(call)).toEqual({ by: 'local', reason: 'normal' });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
  });

  it('uas-busy: 180 then 486 ends the call as busy; the 486 is ACKed', async () => {
    const { ua } = await startAgent();
    const sipp = await startSipp({ scenario: scenario('uas-busy.xml'), timeoutSec: 15 });
    const call = ua.calls!.dial(uri(`sip:bob@${LOOPBACK}:${sipp.localPort}`));
    expect(await ended(call)).toMatchObject({ by: 'remote', reason: 'busy', status: 486 });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
  });

  it('uas-auth-407: the challenged INVITE is sent again with Proxy-Authorization and the next CSeq', async () => {
    const { ua } = await startAgent();
    const sipp = await startSipp({ scenario: scenario('uas-auth-407.xml'), timeoutSec: 15 });
    const account = ua.addAccount({
      aor: uri('sip:alice@example.test'),
      password: 'secret',
      transport: 'udp',
      expires: 600,
      outboundProxy: uri(`sip:${LOOPBACK}:${sipp.localPort}`),
    });
    const call = ua.calls!.dial(uri('sip:bob@example.test'), { account });
    await reach(call, 'connected');
    call.hangup();
    expect(await ended(call)).toEqual({ by: 'local', reason: 'normal' });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
  });

  it('uas-fork: two early dialogs, the 200 from the second; ACK and BYE go to the second', async () => {
    const { ua } = await startAgent();
    const sipp = await startSipp({ scenario: scenario('uas-fork.xml'), timeoutSec: 15 });
    const call = ua.calls!.dial(uri(`sip:bob@${LOOPBACK}:${sipp.localPort}`));
    await reach(call, 'connected');
    call.hangup();
    await ended(call);
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
    const bye = parseMessageLog(result.messageLog).find(
      (m) => m.direction === 'received' && m.method === 'BYE',
    )!;
    expect(bye.text).toMatch(/^BYE sip:fork-b@/);
  });

  it('uas-2xx-retransmit: every copy of the 2xx is ACKed', async () => {
    const { ua } = await startAgent();
    const sipp = await startSipp({
      scenario: scenario('uas-2xx-retransmit.xml'),
      timeoutSec: 15,
      extraArgs: ['-nr'],
    });
    const call = ua.calls!.dial(uri(`sip:bob@${LOOPBACK}:${sipp.localPort}`));
    await reach(call, 'connected');
    // The scenario sends its copies right after the first ACK; each is ACKed before the BYE goes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    call.hangup();
    await ended(call);
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
    const acks = parseMessageLog(result.messageLog).filter(
      (m) => m.direction === 'received' && m.method === 'ACK',
    );
    expect(acks).toHaveLength(3);
  });

  it('uas-100rel: the reliable 180 is PRACKed (RAck 4711 1 INVITE) before the far end answers', async () => {
    const { ua } = await startAgent();
    const sipp = await startSipp({ scenario: scenario('uas-100rel.xml'), timeoutSec: 15 });
    const call = ua.calls!.dial(uri(`sip:bob@${LOOPBACK}:${sipp.localPort}`));
    await reach(call, 'connected');
    call.hangup();
    expect(await ended(call)).toEqual({ by: 'local', reason: 'normal' });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
  });

  it('uas-reinvite-491: our hold re-INVITE meets 491, is sent again 2.1-4 s later and lands', async () => {
    const { ua, media } = await startAgent();
    const sipp = await startSipp({ scenario: scenario('uas-reinvite-491.xml'), timeoutSec: 20 });
    const call = ua.calls!.dial(uri(`sip:bob@${LOOPBACK}:${sipp.localPort}`));
    await reach(call, 'connected');
    const held = new Promise<void>((resolve) =>
      call.on('hold', (hold) => {
        if (hold.local) resolve();
      }),
    );
    call.holdCall();
    await held;
    expect(media.lastMedia).toMatchObject({ send: true, receive: false });
    call.hangup();
    await ended(call);
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
    const invites = parseMessageLog(result.messageLog).filter(
      (m) => m.direction === 'received' && m.method === 'INVITE',
    );
    const wait = invites[2]!.time - invites[1]!.time;
    expect(wait).toBeGreaterThanOrEqual(2_100);
    expect(wait).toBeLessThan(4_200);
  });

  it('uas-reinvite-407: the challenged hold re-INVITE is sent again with credentials and lands', async () => {
    const { ua } = await startAgent();
    const sipp = await startSipp({ scenario: scenario('uas-reinvite-407.xml'), timeoutSec: 15 });
    const account = ua.addAccount({
      aor: uri('sip:alice@example.test'),
      password: 'secret',
      transport: 'udp',
      expires: 600,
      outboundProxy: uri(`sip:${LOOPBACK}:${sipp.localPort}`),
    });
    const call = ua.calls!.dial(uri('sip:bob@example.test'), { account });
    await reach(call, 'connected');
    const held = new Promise<void>((resolve) =>
      call.on('hold', (hold) => {
        if (hold.local) resolve();
      }),
    );
    call.holdCall();
    await held;
    call.hangup();
    await ended(call);
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
  });

  it('uas-redirect-302: the 302 is ACKed and the INVITE goes to its Contact, a second SIPp that answers', async () => {
    const { ua } = await startAgent();
    const target = await startSipp({ scenario: scenario('uas-answer.xml'), timeoutSec: 15 });
    const mover = await startSipp({
      scenario: scenario('uas-redirect-302.xml'),
      keys: { target_port: String(target.localPort) },
      timeoutSec: 15,
    });
    const call = ua.calls!.dial(uri(`sip:bob@${LOOPBACK}:${mover.localPort}`));
    await reach(call, 'connected');
    const moved = await mover.done();
    expect(moved.code, moved.errorLog).toBe(0);
    call.hangup();
    expect(await ended(call)).toEqual({ by: 'local', reason: 'normal' });
    const answered = await target.done();
    expect(answered.code, answered.errorLog).toBe(0);
    const [first] = parseMessageLog(moved.messageLog).filter(
      (m) => m.direction === 'received' && m.method === 'INVITE',
    );
    const [second] = parseMessageLog(answered.messageLog).filter(
      (m) => m.direction === 'received' && m.method === 'INVITE',
    );
    // §8.1.3.4: the new INVITE names the Contact and, being a new request of the same call, the next CSeq.
    expect(second!.text).toMatch(
      new RegExp(`^INVITE sip:bob@${LOOPBACK.replaceAll('.', '\\.')}:${target.localPort} `),
    );
    const cseq = (text: string) => Number(/\r\nCSeq: *(\d+)/i.exec(text)![1]);
    expect(cseq(second!.text)).toBe(cseq(first!.text) + 1);
  });

  it('uas-redirect-loop: a 302 back to the target already tried ends the call as redirect-loop, nothing resent', async () => {
    const { ua } = await startAgent();
    const sipp = await startSipp({ scenario: scenario('uas-redirect-loop.xml'), timeoutSec: 15 });
    const call = ua.calls!.dial(uri(`sip:bob@${LOOPBACK}:${sipp.localPort}`));
    expect(await ended(call)).toMatchObject({ by: 'remote', reason: 'redirect-loop', status: 302 });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
    const invites = parseMessageLog(result.messageLog).filter(
      (m) => m.direction === 'received' && m.method === 'INVITE',
    );
    expect(invites).toHaveLength(1);
  });

  it('uas-session-timer: we ask for 1800 s, the far end sets 4 s with refresher=uac, and we re-INVITE every 2 s', async () => {
    // RFC 4028's floor is 90 s; SIPp is not bound by it, so our minimum is lowered to 4 s for this run only.
    const { ua, media } = await startAgent(undefined, { minSessionExpires: 4 });
    const sipp = await startSipp({ scenario: scenario('uas-session-timer.xml'), timeoutSec: 20 });
    const call = ua.calls!.dial(uri(`sip:bob@${LOOPBACK}:${sipp.localPort}`));
    await reach(call, 'connected');
    // Each refresh is a re-offer of the same session: its 2xx updates the media port once.
    await until(() => media.lastKinds.filter((kind) => kind === 'update').length >= 2, 10_000);
    expect(call.state).toBe('connected');
    call.hangup();
    expect(await ended(call)).toEqual({ by: 'local', reason: 'normal' });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
  });

  it('uas-session-timer-update: the far end allows UPDATE, so we refresh with UPDATEs without SDP every 2 s', async () => {
    const { ua, media } = await startAgent(undefined, { minSessionExpires: 4 });
    const sipp = await startSipp({ scenario: scenario('uas-session-timer-update.xml'), timeoutSec: 20 });
    const call = ua.calls!.dial(uri(`sip:bob@${LOOPBACK}:${sipp.localPort}`));
    await reach(call, 'connected');
    // SIPp answers two refresh UPDATEs (a re-INVITE would fail the scenario), then hangs up itself.
    expect(await ended(call)).toEqual({ by: 'remote', reason: 'normal' });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
    // An UPDATE without SDP changes no media: the port was started once, never updated, and stopped at the BYE.
    expect(media.lastKinds).toEqual(['start', 'stop']);
    const updates = parseMessageLog(result.messageLog).filter(
      (m) => m.direction === 'received' && m.method === 'UPDATE',
    );
    expect(updates).toHaveLength(2);
  });

  it('uas-early-update: UPDATE and INFO in the early dialog are answered 200; the 200 without SDP keeps the media', async () => {
    const { ua, media } = await startAgent();
    const sipp = await startSipp({ scenario: scenario('uas-early-update.xml'), timeoutSec: 15 });
    const call = ua.calls!.dial(uri(`sip:bob@${LOOPBACK}:${sipp.localPort}`));
    const digits: string[] = [];
    call.on('dtmf', ({ digit }) => digits.push(digit));
    await reach(call, 'connected');
    expect(digits).toEqual(['5']);
    // The 183 started PCMU; the UPDATE moved it to PCMA, and the 200 changed nothing.
    expect(media.lastKinds).toEqual(['start', 'update']);
    expect(media.lastMedia).toMatchObject({ codec: { name: 'pcma' }, remoteRtp: { port: sipp.mediaPort } });
    call.hangup();
    expect(await ended(call)).toEqual({ by: 'local', reason: 'normal' });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
  });

  it('uas-no-answer: ringing past our ring timeout (1 s here) CANCELs; the 487 ends the call as no-answer', async () => {
    const { ua } = await startAgent(undefined, { ringTimeoutMs: 1_000 });
    const sipp = await startSipp({ scenario: scenario('uas-no-answer.xml'), timeoutSec: 15 });
    const call = ua.calls!.dial(uri(`sip:bob@${LOOPBACK}:${sipp.localPort}`));
    await reach(call, 'early');
    expect(await ended(call)).toMatchObject({ by: 'local', reason: 'no-answer', status: 487 });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
  });

  it('uas-silent: Timer A retransmits, Timer B ends the call with no-answer (T1 = 25 ms here)', async () => {
    const { ua } = await startAgent({ t1: 25 });
    const sipp = await startSipp({ scenario: scenario('uas-silent.xml'), timeoutSec: 15 });
    const call = ua.calls!.dial(uri(`sip:bob@${LOOPBACK}:${sipp.localPort}`));
    expect(await ended(call)).toMatchObject({ by: 'remote', reason: 'no-answer', status: 408 });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
    const invites = parseMessageLog(result.messageLog).filter(
      (m) => m.direction === 'received' && m.method === 'INVITE',
    );
    // Timer A at 0, 25, 75, 175, 375, 775 and 1575 ms, then Timer B (1.6 s): seven sends in all.
    expect(invites.length).toBe(7);
  });
});

describe.skipIf(!peers.sipp)('SIPp callers against our UAS', () => {
  it('uac-cancel: the caller CANCELs while we ring; 200 to the CANCEL, 487 to the INVITE', async () => {
    const { ua } = await startAgent();
    const incoming: Call[] = [];
    ua.calls!.onIncoming((call) => incoming.push(call));
    const sipp = await startSipp({
      scenario: scenario('uac-cancel.xml'),
      remote: `${LOOPBACK}:${ua.transport.localPort}`,
      service: 'bob',
      timeoutSec: 15,
    });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
    expect(incoming).toHaveLength(1);
    expect(incoming[0]!.end).toEqual({ by: 'remote', reason: 'cancelled-by-caller', status: 487 });
  });

  it('uac-offerless: an INVITE without SDP gets our offer in the 200 and its answer from the ACK', async () => {
    const { ua, media } = await startAgent();
    const incoming: Call[] = [];
    ua.calls!.onIncoming((call) => {
      incoming.push(call);
      call.answer();
    });
    const sipp = await startSipp({
      scenario: scenario('uac-offerless.xml'),
      remote: `${LOOPBACK}:${ua.transport.localPort}`,
      service: 'bob',
      timeoutSec: 15,
    });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
    expect(incoming[0]!.end).toEqual({ by: 'remote', reason: 'normal' });
    expect(media.ports[0]!.events.map((event) => event.kind)).toEqual(['start', 'stop']);
    expect(media.ports[0]!.events[0]).toMatchObject({
      media: { codec: { name: 'pcmu' }, remoteRtp: { port: sipp.mediaPort } },
    });
  });

  it('uac-100rel-supported: our early-media 183 goes reliably, is PRACKed, and the 200 follows the PRACK', async () => {
    const { ua, media } = await startAgent(undefined, { earlyMedia: true });
    const incoming: Call[] = [];
    ua.calls!.onIncoming((call) => {
      incoming.push(call);
      call.answer();
    });
    const sipp = await startSipp({
      scenario: scenario('uac-100rel-supported.xml'),
      remote: `${LOOPBACK}:${ua.transport.localPort}`,
      service: 'bob',
      timeoutSec: 15,
    });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
    expect(incoming[0]!.end).toEqual({ by: 'remote', reason: 'normal' });
    expect(media.ports[0]!.events[0]).toMatchObject({
      kind: 'start',
      media: { remoteRtp: { port: sipp.mediaPort } },
    });
  });

  it('uac-unanswered: nobody answers within our ring timeout (1 s here): 480, ACKed, a missed call', async () => {
    const { ua } = await startAgent(undefined, { ringTimeoutMs: 1_000 });
    const incoming: Call[] = [];
    ua.calls!.onIncoming((call) => incoming.push(call));
    const sipp = await startSipp({
      scenario: scenario('uac-unanswered.xml'),
      remote: `${LOOPBACK}:${ua.transport.localPort}`,
      service: 'bob',
      timeoutSec: 15,
    });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
    expect(incoming[0]!.end).toEqual({ by: 'local', reason: 'no-answer', status: 480 });
    const final = parseMessageLog(result.messageLog).filter(
      (m) => m.direction === 'received' && m.text.startsWith('SIP/2.0 480'),
    );
    // One 480 only: the caller's ACK stopped Timer G.
    expect(final).toHaveLength(1);
  });

  it('uac-bye: we answer, the caller ACKs and later hangs up with BYE', async () => {
    const { ua, media } = await startAgent();
    const incoming: Call[] = [];
    ua.calls!.onIncoming((call) => {
      incoming.push(call);
      call.answer();
    });
    const sipp = await startSipp({
      scenario: scenario('uac-bye.xml'),
      remote: `${LOOPBACK}:${ua.transport.localPort}`,
      service: 'bob',
      timeoutSec: 15,
    });
    const result = await sipp.done();
    expect(result.code, result.errorLog).toBe(0);
    expect(incoming[0]!.end).toEqual({ by: 'remote', reason: 'normal' });
    expect(media.ports[0]!.events.map((event) => event.kind)).toEqual(['start', 'stop']);
  });
});
