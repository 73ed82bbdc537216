// The stage of the browser tests for people: Kamailio as registrar, proxy and presence server (with msilo), the web
// host with alice's account registered through it and Debian's Chromium on its page, and bob as a second engine in
// this process (createEngine on its own data folder, registered at the same Kamailio), driven by commands, so a test
// can make bob publish a status, type and send messages, and read what bob's engine hears. Each piece is the interop
// harness's own; this file puts them together and tears them down in reverse.
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import type { AccountDto, AccountInput } from '../../../main/contract/contract';
import { CHROMIUM_ARGS, chromiumPath } from '../../support/chromium';
import {
  type RecordingEngine,
  aliceAccount,
  createAccount,
  startRecordingEngine,
} from '../../interop/support/engine-harness';
import { type KamailioHandle, startKamailio } from '../../interop/support/kamailio';
import { SCREENSHOT_DIR } from './call-stage';
import { Teardown, shootAllScreens } from './stage-tools';
import { sendCommands } from './web-host-commands';
import { type WebHostProcess, startWebHost } from './web-host-process';

const REGISTER_TIMEOUT_MS = 15_000;

export interface PeopleStage {
  readonly kamailio: KamailioHandle;
  /** bob's engine, its events recorded, and his account on it. */
  readonly bob: RecordingEngine;
  readonly bobAccount: AccountDto;
  readonly host: WebHostProcess;
  readonly browser: Browser;
  readonly page: Page;
  readonly dir: string;
  readonly aliceUri: string;
  readonly bobUri: string;
  /** A view from the navigation: Contacts, Buddies, Chat ... */
  openView(name: string): Promise<void>;
  /** Saves the page at every size of SCREEN_SIZES in both themes as NAME-THEME-WxH.png. */
  shotAll(name: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startPeopleStage(): Promise<PeopleStage> {
  const teardown = new Teardown();
  try {
    return await build(teardown);
  } catch (error) {
    await teardown.run();
    throw error;
  }
}

async function build(teardown: Teardown): Promise<PeopleStage> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), 'softphone-e2e-people-'));
  teardown.add(() => rm(dir, { recursive: true, force: true }));
  const kamailio = await startKamailio({
    users: [
      { username: 'alice', password: 'alice-pw' },
      { username: 'bob', password: 'bob-pw' },
    ],
    presence: true,
    offlineMessages: true,
  });
  teardown.add(() => kamailio.stop());

  const bob = await startRecordingEngine(dir, 'bob');
  teardown.add(() => bob.engine.shutdown(3_000));
  const bobInput: AccountInput = {
    ...aliceAccount(kamailio),
    displayName: 'Bob',
    aor: kamailio.uri('bob'),
    password: 'bob-pw',
  };
  const bobAccount = await createAccount(bob, bobInput);

  const dataDir = join(dir, 'alice-data');
  mkdirSync(dataDir);
  const host = await startWebHost(dataDir);
  teardown.add(() => host.stop());
  const browser = await chromium.launch({ executablePath: chromiumPath()!, args: [...CHROMIUM_ARGS] });
  teardown.add(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(host.url);
  const [created] = await sendCommands(page, host.port, [
    { name: 'accounts.create', args: [aliceAccount(kamailio)] },
  ]);
  if (!(created as { ok: boolean }).ok) throw new Error(`alice's account: ${JSON.stringify(created)}`);
  await page
    .getByRole('region', { name: 'Registration status' })
    .getByText(/Registered/)
    .first()
    .waitFor({ timeout: REGISTER_TIMEOUT_MS });

  return {
    kamailio,
    bob,
    bobAccount,
    host,
    browser,
    page,
    dir,
    aliceUri: kamailio.uri('alice'),
    bobUri: kamailio.uri('bob'),
    openView: async (name) => {
      await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name }).click();
    },
    shotAll: (name) => shootAllScreens(page, SCREENSHOT_DIR, name),
    stop: () => teardown.run(),
  };
}
