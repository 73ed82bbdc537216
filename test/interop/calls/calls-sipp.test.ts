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
  ua.installCalls({ media: media.factory });
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
