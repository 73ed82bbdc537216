// The chat in a real browser (Debian Chromium through playwright-core) on the web host, with the in-memory engine
// behind it: a conversation opens from the list, a message arriving over the socket shows in the thread after the
// peer's "is typing…", and Enter in the composer sends through the contract to the engine. The engine's own
// MESSAGE usage is proven against Kamailio and baresip by its own tests; this proves the window's half end to end.
import { resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type WebHost, startWebHost } from '../../main/web/web-host';
import { FakeEngine, account, conversation, message } from '../support/fake-engine';
import { findExecutable, peersAvailable } from './support/peers';

const chromiumPath = findExecutable('chromium') ?? findExecutable('chromium-browser');
// npm test builds the renderer before the interop suites.
const builtRenderer = resolve(import.meta.dirname, '../../out/renderer');

describe.skipIf(!peersAvailable().chromium)('chat in Chromium on the web host', () => {
  let browser: Browser;
  let host: WebHost | undefined;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath!, args: ['--no-sandbox'] });
  });

  afterEach(async () => {
    await host?.close();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows a live message after the typing indicator, and sends with Enter', async () => {
    const now = Date.now();
    const bob = conversation({
      id: 'c-bob',
      accountId: 'a1',
      peerName: 'Bob',
      peerUri: 'sip:bob@example.com',
      updatedAt: now,
    });
    const engine = new FakeEngine({
      accounts: [account({ id: 'a1', aor: 'sip:alice@example.com' })],
      conversations: [bob],
      messages: [message({ id: 'm1', conversationId: 'c-bob', body: 'Hello Alice', sentAt: now - 60_000 })],
    });
    host = await startWebHost({ engine, rendererDir: builtRenderer });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(host.url);
    await page.getByRole('button', { name: /^Chat/ }).click();
    await page.getByRole('button', { name: /^Bob/ }).click();
    const thread = page.getByRole('list', { name: 'Messages with Bob' });
    await thread.getByText('Hello Alice').waitFor();

    engine.emit('message.composing', {
      conversationId: 'c-bob',
      accountId: 'a1',
      peerUri: bob.peerUri,
      state: 'active',
    });
    await page.getByText('Bob is typing…').waitFor();
    const arriving = message({ id: 'm2', conversationId: 'c-bob', body: 'Are you there? 👋', sentAt: now });
    engine.messages = [...engine.messages, arriving];
    engine.emit('message.changed', arriving);
    await thread.getByText('Are you there? 👋').waitFor();
    await expect
      .poll(() => page.getByRole('status', { name: 'New messages' }).textContent())
      .toContain('Bob: Are you there?');
    await expect.poll(() => page.getByText('Bob is typing…').count()).toBe(0);

    const composer = page.getByRole('textbox', { name: 'Message to Bob' });
    await composer.fill('Yes, here');
    await composer.press('Shift+Enter');
    await composer.pressSequentially('on my way');
    await composer.press('Enter');
    await expect
      .poll(() => engine.messages.filter((item) => item.direction === 'outgoing').map((item) => item.body))
      .toEqual(['Yes, here\non my way']);
    await thread.getByText('Sending…').waitFor();
    expect(engine.composing.map((item) => item.state)).toEqual(['active', 'idle']);
    expect(await composer.inputValue()).toBe('');
    await page.close();
  });
});
