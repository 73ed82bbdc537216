// People in the window, in Debian's Chromium against the web host (the real engine inside) with Kamailio as
// registrar, proxy and presence server, and bob as a second engine driven by commands: alice makes bob a contact who
// is watched and finds him by searching; bob's status and note reach her buddy list live; her own status, set from
// the frame, reaches bob; they chat both ways with the typing indicator each way and delivery marks; and a vCard file
// imports. Screens are saved at both sizes in both themes for looking at.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContactDto, MessageDto } from '../../main/contract/contract';
import { type RecordedEvent, nextEvent, resultValue } from '../interop/support/engine-harness';
import { peersAvailable } from '../interop/support/peers';
import { type PeopleStage, startPeopleStage } from './support/people-stage';

const peers = peersAvailable();
const STEP_MS = 15_000;
const BOB_NAME = 'Bob Builder';
const BOB_NOTE = 'Im Labor bis 15 Uhr — בקרוב';

describe.skipIf(!peers.kamailio || !peers.chromium)('people in the browser', () => {
  let stage: PeopleStage;

  beforeAll(async () => {
    stage = await startPeopleStage();
  });

  afterAll(async () => {
    await stage?.stop();
  });

  const bobSays = (name: string, payload: object) =>
    stage.bob.engine.router.dispatch(name, [payload]).then((result) => resultValue(result));

  it('creates a watched contact from the form and finds it by searching', async () => {
    const { page } = stage;
    await stage.openView('Contacts');
    await page.getByRole('button', { name: 'New contact' }).click();
    await page.getByLabel('Name', { exact: true }).fill(BOB_NAME);
    const address = page.getByLabel('SIP address 1', { exact: true });
    if ((await address.count()) === 0) await page.getByRole('button', { name: 'Add a SIP address' }).click();
    await address.fill(stage.bobUri);
    await page.getByLabel('Watch presence').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: BOB_NAME }).waitFor({ timeout: STEP_MS });

    await page
      .getByRole('button', { name: /All contacts/ })
      .click({ timeout: 2_000 })
      .catch(() => undefined);
    const search = page.getByRole('searchbox', { name: 'Search contacts' });
    await search.fill('build');
    const list = page.getByRole('listbox', { name: 'Contacts' });
    await expect.poll(() => list.innerText()).toContain(BOB_NAME);
    await search.fill('nobody-like-this');
    await expect.poll(() => list.getByRole('option').count()).toBe(0);
    await search.fill('');
  });

  it("shows bob's status and note in the buddy list as they change", async () => {
    const { page } = stage;
    await stage.openView('Buddies');
    const buddies = page.getByRole('list', { name: 'Buddies, available first' });
    await expect.poll(() => buddies.innerText(), { timeout: STEP_MS }).toMatch(/Bob Builder[\s\S]*Available/);

    await bobSays('presence.setStatus', { accountId: null, status: 'away', note: BOB_NOTE });
    await expect.poll(() => buddies.innerText(), { timeout: STEP_MS }).toMatch(/Away/);
    await expect.poll(() => buddies.innerText()).toContain(BOB_NOTE);
    await stage.shotAll('people-buddies');
    await bobSays('presence.setStatus', { accountId: null, status: 'available', note: null });
    await expect.poll(() => buddies.innerText(), { timeout: STEP_MS }).toMatch(/Available/);
  });

  it('publishes the status alice chooses in the frame, which bob sees', async () => {
    const { page } = stage;
    const alice = resultValue<ContactDto>(
      await stage.bob.engine.router.dispatch('contacts.create', [
        {
          name: 'Alice',
          sipAddresses: [{ uri: stage.aliceUri, label: null }],
          phoneNumbers: [],
          note: '',
          favorite: false,
          watchPresence: true,
          accountId: null,
        },
      ]),
    );
    await page.getByRole('button', { name: /^Your status:/ }).click();
    await page.getByRole('radio', { name: 'Busy' }).check();
    await page.getByLabel('Note').fill('Writing the report');
    await stage.shotAll('people-own-status');
    await page.getByRole('button', { name: 'Set status' }).click();
    await nextEvent(stage.bob.events, (event: RecordedEvent) =>
      event.name === 'buddy.changed' &&
      event.payload.contactId === alice.id &&
      event.payload.availability === 'busy' &&
      event.payload.note === 'Writing the report'
        ? true
        : undefined,
    );
  });

  it('chats both ways with the typing indicator and delivery marks', async () => {
    const { page } = stage;
    stage.bob.events.splice(0);
    await stage.openView('Buddies');
    await page.getByRole('button', { name: `Chat with ${BOB_NAME}` }).click();
    const composer = page.getByRole('textbox', { name: `Message to ${BOB_NAME}` });
    await composer.click();
    await composer.pressSequentially('Hello Bob, ');
    // Our typing reaches bob once there is a conversation between them: the first message opens it.
    await composer.pressSequentially('ready? 👷');
    await composer.press('Enter');
    const arrived = await nextEvent(stage.bob.events, (event: RecordedEvent) =>
      event.name === 'message.changed' && event.payload.direction === 'incoming' ? event.payload : undefined,
    );
    expect(arrived.body).toBe('Hello Bob, ready? 👷');
    const thread = page.getByRole('list', { name: `Messages with ${BOB_NAME}` });
    await expect.poll(() => thread.innerText(), { timeout: STEP_MS }).toMatch(/ready\?[\s\S]*Delivered/);

    // Now alice types again and bob hears it; bob types and alice sees it.
    await composer.pressSequentially('Still there');
    await nextEvent(stage.bob.events, (event: RecordedEvent) =>
      event.name === 'message.composing' && event.payload.state === 'active' ? true : undefined,
    );
    await bobSays('messages.setComposing', {
      accountId: stage.bobAccount.id,
      to: stage.aliceUri,
      state: 'active',
    });
    const typing = page.getByText(`${BOB_NAME} is typing…`);
    await typing.waitFor({ timeout: STEP_MS });
    await stage.shotAll('people-chat-typing');
    const reply = resultValue<MessageDto>(
      await stage.bob.engine.router.dispatch('messages.send', [
        { accountId: stage.bobAccount.id, to: stage.aliceUri, body: 'Yes — כן, on my way' },
      ]),
    );
    expect(reply.delivery).toBe('sending');
    await expect.poll(() => thread.innerText(), { timeout: STEP_MS }).toContain('Yes — כן, on my way');
    await typing.waitFor({ state: 'hidden', timeout: STEP_MS });
    await composer.fill('');
    await stage.shotAll('people-chat-thread');
  });

  it('imports contacts from a vCard file', async () => {
    const { page } = stage;
    const file = join(stage.dir, 'friends.vcf');
    await writeFile(
      file,
      [
        'BEGIN:VCARD',
        'VERSION:3.0',
        'FN:Carol Café',
        'TEL;TYPE=work,voice:+44 20 7946 0000',
        'IMPP:sip:carol@example.test',
        'END:VCARD',
        'BEGIN:VCARD',
        'VERSION:4.0',
        'FN:Dave Ørsted',
        'TEL;VALUE=uri;TYPE=cell:tel:+45-3312-3456',
        'END:VCARD',
        '',
      ].join('\r\n'),
    );
    await stage.openView('Contacts');
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('button', { name: /Import vCard/ }).click();
    await (await chooser).setFiles(file);
    await page.getByText(/2 contacts? imported|Imported 2/i).waitFor({ timeout: STEP_MS });
    const list = page.getByRole('listbox', { name: 'Contacts' });
    await expect.poll(() => list.innerText()).toMatch(/Carol Café[\s\S]*Dave Ørsted/);
    await page.getByRole('searchbox', { name: 'Search contacts' }).fill('cafe');
    await expect.poll(() => list.innerText()).toContain('Carol Café');
    await stage.shotAll('people-contacts');
  });
});
