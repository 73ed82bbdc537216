// What baresip 1.0 does with SIP INFO DTMF, so the call tests know which way INFO can be proven against it: it
// takes application/dtmf-relay with Signal and Duration (200 and a CALL_DTMF_START event, no CALL_DTMF_END), answers
// 400 when Duration is missing, refuses application/dtmf with 488, and never sends INFO itself (its `sndcode`
// sends RFC 4733 events only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peersAvailable } from '../support/peers';
import { startBaresip, type BaresipHandle } from '../support/baresip';
import { runSipp } from '../support/sipp';
import { writeToneFixture } from '../../support/audio/tone-fixture';

const peers = peersAvailable();
const SCENARIO = join(import.meta.dirname, 'sipp', 'uac-call-info-dtmf.xml');

describe.skipIf(!peers.baresip || !peers.sipp)('baresip and SIP INFO DTMF', () => {
  let fixtureDir: string;
  let bob: BaresipHandle;

  beforeAll(async () => {
    fixtureDir = await mkdtemp(join(tmpdir(), 'softphone-tones-'));
    const tone = await writeToneFixture(fixtureDir, { frequencyHz: 1000, durationS: 5 });
    bob = await startBaresip({
      source: tone.path,
      account: { aor: 'sip:bob@127.0.0.1', answerMode: 'auto' },
    });
  });

  afterAll(async () => {
    await bob?.stop();
    if (fixtureDir !== undefined) await rm(fixtureDir, { recursive: true, force: true });
  });

  async function infoCall(type: string, body: string): Promise<string> {
    const result = await runSipp({
      scenario: SCENARIO,
      remote: `127.0.0.1:${bob.sipPort}`,
      service: 'bob',
      keys: { info_type: type, info_body: body },
      timeoutSec: 10,
    });
    expect(result.code, result.errorLog).toBe(0);
    const answer = /^SIP\/2\.0 (\d{3}) [^\r\n]*\r?\n(?:[^\r\n]+\r?\n)*?CSeq: 2 INFO/m.exec(result.messageLog);
    expect(answer, result.messageLog).not.toBeNull();
    return answer![1]!;
  }

  it('takes application/dtmf-relay: 200 and the digit as CALL_DTMF_START', async () => {
    expect(await infoCall('dtmf-relay', 'Signal=5\r\nDuration=160')).toBe('200');
    expect((await bob.waitForEvent('CALL_DTMF_START')).param).toBe('5');
  });

  it('answers 400 to a dtmf-relay body without Duration, and reports no digit', async () => {
    const before = bob.events.filter((event) => event.type === 'CALL_DTMF_START').length;
    expect(await infoCall('dtmf-relay', 'Signal=6')).toBe('400');
    expect(bob.events.filter((event) => event.type === 'CALL_DTMF_START')).toHaveLength(before);
  });

  it('refuses application/dtmf with 488 (RFC 3261 §21.4.13 would want 415)', async () => {
    const before = bob.events.filter((event) => event.type === 'CALL_DTMF_START').length;
    expect(await infoCall('dtmf', '7')).toBe('488');
    expect(bob.events.filter((event) => event.type === 'CALL_DTMF_START')).toHaveLength(before);
  });
});
