// The stage of the browser call tests: Kamailio as registrar and proxy, baresip as bob (a tone as its
// microphone, its recorder on, driven over ctrl_tcp), the web host with a fresh data folder and alice's account
// registered through Kamailio, and Debian's Chromium with a fake microphone playing another tone, the page's audio
// tap, and the page open on the host's token. Each piece is the
// interop harness's own (test/interop/support); this file only puts them together and tears them down in reverse.
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import type { AccountInput, CallCodec } from '../../../main/contract/contract';
import { type ToneFixture, writeToneFixture } from '../../support/audio/tone-fixture';
import { CHROMIUM_ARGS, chromiumPath, fakeMicrophoneArgs } from '../../support/chromium';
import { type BaresipCodec, type BaresipHandle, startBaresip } from '../../interop/support/baresip';
import { type KamailioHandle, startKamailio } from '../../interop/support/kamailio';
import { AudioTap } from './audio-tap';
import { Teardown, shootAllScreens } from './stage-tools';
import { sendCommands } from './web-host-commands';
import { type WebHostProcess, startWebHost } from './web-host-process';

/** Where screenshots go: under test-results/, which git ignores. */
export const SCREENSHOT_DIR = join(resolve(import.meta.dirname, '..', '..', '..'), 'test-results', 'e2e');

const REGISTER_TIMEOUT_MS = 15_000;

/** The name bob's calls carry in their From header. */
export const BOB_NAME = 'Bob Baresip';

export interface CallStageOptions {
  /** bob's microphone. Default 700 Hz at half scale. */
  readonly bobTone?: { readonly frequencyHz: number; readonly amplitude?: number };
  /** The codec both ends offer and accept. Default PCMU: baresip records it at 8 kHz mono. */
  readonly codec?: CallCodec & BaresipCodec;
  /** What Chromium's fake microphone plays, looped. Default 1 kHz at 0.4 of full scale. */
  readonly ourTone?: { readonly frequencyHz: number; readonly amplitude?: number };
  /** The page's size at the start. Default 1280×800. */
  readonly viewport?: { readonly width: number; readonly height: number };
}

export interface CallStage {
  readonly kamailio: KamailioHandle;
  readonly bob: BaresipHandle;
  /** What bob plays, and what our microphone does. */
  readonly bobTone: ToneFixture;
  readonly ourTone: ToneFixture;
  /** The page's audio tap, installed before the window loaded. */
  readonly tap: AudioTap;
  readonly host: WebHostProcess;
  readonly browser: Browser;
  readonly page: Page;
  /** A temporary folder for this stage's files (fixtures, the data folder); removed by stop(). */
  readonly dir: string;
  /** alice's and bob's addresses of record at Kamailio. */
  readonly aliceUri: string;
  readonly bobUri: string;
  /** A view from the navigation: Dialpad, History, Settings ... */
  openView(name: string): Promise<void>;
  /** Saves the page as test-results/e2e/NAME.png. */
  shot(name: string): Promise<void>;
  /**
   * Saves the page at every size of SCREEN_SIZES in both themes as NAME-THEME-WxH.png, and puts the page back to
   * its size and the light theme.
   */
  shotAll(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startCallStage(options: CallStageOptions = {}): Promise<CallStage> {
  const teardown = new Teardown();
  try {
    return await build(options, teardown);
  } catch (error) {
    await teardown.run();
    throw error;
  }
}

async function build(options: CallStageOptions, teardown: Teardown): Promise<CallStage> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const codec = options.codec ?? 'pcmu';
  const dir = await mkdtemp(join(tmpdir(), 'softphone-e2e-call-'));
  teardown.add(() => rm(dir, { recursive: true, force: true }));
  const bobTone = await writeToneFixture(dir, {
    frequencyHz: options.bobTone?.frequencyHz ?? 700,
    amplitude: options.bobTone?.amplitude ?? 0.5,
    durationS: 120,
  });
  // Chromium loops its fake microphone file, so ten seconds last the whole call.
  const ourTone = await writeToneFixture(dir, {
    frequencyHz: options.ourTone?.frequencyHz ?? 1_000,
    amplitude: options.ourTone?.amplitude ?? 0.4,
    durationS: 10,
  });

  const kamailio = await startKamailio({
    users: [
      { username: 'alice', password: 'alice-pw' },
      { username: 'bob', password: 'bob-pw' },
    ],
  });
  teardown.add(() => kamailio.stop());
  const bob = await startBaresip({
    source: bobTone.path,
    account: {
      aor: kamailio.uri('bob'),
      displayName: BOB_NAME,
      password: 'bob-pw',
      outboundProxy: kamailio.proxyUri(),
      codecs: [codec],
    },
  });
  teardown.add(() => bob.stop());

  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const host = await startWebHost(dataDir);
  teardown.add(() => host.stop());

  const browser = await chromium.launch({
    executablePath: chromiumPath()!,
    args: [...CHROMIUM_ARGS, ...fakeMicrophoneArgs(ourTone.path)],
  });
  teardown.add(() => browser.close());
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1280, height: 800 } });
  const tap = new AudioTap(page);
  await tap.install();
  await page.goto(host.url);

  const aliceUri = kamailio.uri('alice');
  const account: AccountInput = {
    displayName: 'Alice',
    aor: aliceUri,
    authUser: null,
    password: 'alice-pw',
    outboundProxy: kamailio.proxyUri(),
    registrar: null,
    transport: 'udp',
    expires: 600,
    keepAliveSeconds: 0,
    keepAliveKind: 'crlf',
    enabled: true,
    codecs: [codec],
  };
  const [created] = await sendCommands(page, host.port, [{ name: 'accounts.create', args: [account] }]);
  if (!(created as { ok: boolean }).ok) throw new Error(`alice's account: ${JSON.stringify(created)}`);
  await waitForBinding(kamailio, 'alice');
  // The window knows it too (the status bar), not only Kamailio.
  await page
    .getByRole('region', { name: 'Registration status' })
    .getByText(/Registered/)
    .first()
    .waitFor({ timeout: REGISTER_TIMEOUT_MS });

  const openView = async (name: string): Promise<void> => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name }).click();
  };
  return {
    kamailio,
    bob,
    bobTone,
    ourTone,
    tap,
    host,
    browser,
    page,
    dir,
    aliceUri,
    bobUri: kamailio.uri('bob'),
    openView,
    shot: async (name) => {
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
    },
    shotAll: (name) => shootAllScreens(page, SCREENSHOT_DIR, name),
    stop: () => teardown.run(),
  };
}

async function waitForBinding(kamailio: KamailioHandle, user: string): Promise<void> {
  const deadline = performance.now() + REGISTER_TIMEOUT_MS;
  while (!(await kamailio.ulDump()).some((binding) => binding.aor === user)) {
    if (performance.now() > deadline) throw new Error(`${user} never registered at Kamailio`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}
