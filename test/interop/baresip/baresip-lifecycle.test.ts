// The baresip harness cleans up after itself: stop() leaves no process and frees the ports, and a phone that dies
// mid-test fails what waits on it at once instead of at the waits' timeouts.
import { afterAll, describe, expect, it } from 'vitest';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peersAvailable } from '../support/peers';
import { startBaresip, type BaresipHandle } from '../support/baresip';
import { isTcpPortFree, isUdpPortFree } from '../support/ports';
import { liveProcessesInGroup, signalGroup } from '../support/processes';
import { writeToneFixture } from '../../support/audio/tone-fixture';

const peers = peersAvailable();

describe.skipIf(!peers.baresip)('baresip harness lifecycle', () => {
  let fixtureDir: string | undefined;
  const started: BaresipHandle[] = [];

  afterAll(async () => {
    await Promise.all(started.map((handle) => handle.stop()));
    if (fixtureDir !== undefined) await rm(fixtureDir, { recursive: true, force: true });
  });

  async function phone(): Promise<BaresipHandle> {
    fixtureDir ??= await mkdtemp(join(tmpdir(), 'softphone-tones-'));
    const tone = await writeToneFixture(fixtureDir, { frequencyHz: 1000, durationS: 2 });
    const handle = await startBaresip({ source: tone.path, account: { aor: 'sip:frank@127.0.0.1' } });
    started.push(handle);
    return handle;
  }

  it('stop leaves no process, frees the SIP and control ports and removes the run directory', async () => {
    const handle = await phone();
    expect(await isUdpPortFree(handle.sipPort)).toBe(false);
    await handle.stop();
    expect(liveProcessesInGroup(handle.pid)).toEqual([]);
    expect(await isUdpPortFree(handle.sipPort)).toBe(true);
    expect(await isTcpPortFree(handle.controlPort)).toBe(true);
    await expect(access(handle.runDir)).rejects.toThrow();
    await expect(handle.command('listcalls')).rejects.toThrow(/not running/);
  });

  it('fails pending waits as soon as the phone dies', async () => {
    const handle = await phone();
    const waiting = handle.waitForEvent('CALL_INCOMING', 60_000);
    signalGroup(handle.pid, 'SIGKILL');
    await expect(waiting).rejects.toThrow(/baresip exited/);
  });
});
