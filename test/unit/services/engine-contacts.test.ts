// Contacts through the whole engine: the command router's schema and the service's own checks, the event a window
// hears, the account a deleted account leaves behind, and contacts kept for the next engine on the same folder.
import { afterEach, describe, expect, it } from 'vitest';
import type { ContactInput } from '../../../main/contract/contract';
import { type Harness, input, removeDataDirs, startHarness } from './engine-harness';

const harnesses: Harness[] = [];
afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.stop();
  removeDataDirs();
});

async function started(dataDir?: string): Promise<Harness> {
  const harness = await startHarness(dataDir === undefined ? {} : { dataDir });
  harnesses.push(harness);
  return harness;
}

function contactInput(overrides: Partial<ContactInput> = {}): ContactInput {
  return {
    name: 'Bob',
    sipAddresses: [{ uri: 'sip:bob@example.test', label: null }],
    phoneNumbers: [],
    note: '',
    favorite: false,
    watchPresence: true,
    accountId: null,
    ...overrides,
  };
}

describe('contacts in the engine', () => {
  it('creates, lists, updates and deletes through the router, with an event for each', async () => {
    const h = await started();
    const created = await h.engine.router.dispatch('contacts.create', [contactInput({ name: '  Bob  ' })]);
    expect(created).toMatchObject({ ok: true, value: { name: 'Bob', watchPresence: true } });
    const id = created.ok ? (created.value as { id: string }).id : '';
    expect(await h.engine.router.dispatch('contacts.list', [])).toMatchObject({ ok: true, value: [{ id }] });
    await h.engine.router.dispatch('contacts.update', [id, contactInput({ name: 'Robert' })]);
    expect(await h.engine.router.dispatch('contacts.delete', [id])).toEqual({ ok: true, value: null });
    expect(
      h.events.filter((event) => event.name === 'contacts.changed').map((event) => event.payload),
    ).toEqual([
      { upserted: [expect.objectContaining({ name: 'Bob' })], deleted: [] },
      { upserted: [expect.objectContaining({ name: 'Robert' })], deleted: [] },
      { upserted: [], deleted: [id] },
    ]);
  });

  it('refuses what the schema refuses and what only the SIP grammar refuses, naming the field', async () => {
    const h = await started();
    expect(
      await h.engine.router.dispatch('contacts.create', [
        contactInput({ sipAddresses: [{ uri: 'mailto:bob@example.test', label: null }] }),
      ]),
    ).toMatchObject({ ok: false, error: { code: 'invalid-argument', field: 'sipAddresses.uri' } });
    expect(
      await h.engine.router.dispatch('contacts.create', [
        contactInput({ sipAddresses: [{ uri: 'sip:bob@exa mple', label: null }] }),
      ]),
    ).toMatchObject({ ok: false, error: { code: 'invalid-argument', field: 'sipAddresses.uri' } });
    expect(
      await h.engine.router.dispatch('contacts.create', [
        contactInput({ sipAddresses: [{ uri: 'sip:bob@[::1', label: null }] }),
      ]),
    ).toMatchObject({ ok: false, error: { code: 'invalid-argument', field: 'sipAddresses.uri' } });
    expect(await h.engine.router.dispatch('contacts.list', [])).toEqual({ ok: true, value: [] });
  });

  it('keeps a contact whose account is deleted, and says it now has none', async () => {
    const h = await started();
    const account = await h.drive(h.engine.router.dispatch('accounts.create', [input()]));
    const accountId = account.ok ? (account.value as { id: string }).id : '';
    const created = await h.engine.router.dispatch('contacts.create', [contactInput({ accountId })]);
    const id = created.ok ? (created.value as { id: string }).id : '';
    await h.drive(h.engine.router.dispatch('accounts.delete', [accountId]));
    expect(await h.engine.router.dispatch('contacts.list', [])).toMatchObject({
      ok: true,
      value: [{ id, accountId: null }],
    });
    const last = h.events.filter((event) => event.name === 'contacts.changed').at(-1);
    expect(last?.payload).toEqual({
      upserted: [expect.objectContaining({ id, accountId: null })],
      deleted: [],
    });
  });

  it('imports and exports vCards through the router, and keeps contacts for the next engine', async () => {
    const first = await started();
    const text =
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada\r\nTEL;TYPE=cell:+44 20 7946 0000\r\nEND:VCARD\r\n' +
      'BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:x@example.test\r\nEND:VCARD\r\n';
    expect(await first.engine.router.dispatch('contacts.importVcard', [text])).toEqual({
      ok: true,
      value: { imported: 1, skipped: [{ index: 1, reason: 'no name, SIP address or phone number' }] },
    });
    harnesses.splice(harnesses.indexOf(first), 1);
    await first.stop();
    const next = await started(first.dataDir);
    const exported = await next.engine.router.dispatch('contacts.exportVcard', [null, '4.0']);
    expect(exported.ok && exported.value).toMatch(/^BEGIN:VCARD\r\nVERSION:4\.0\r\nFN:Ada\r\n/);
    expect(exported.ok && exported.value).toContain('TEL;TYPE=cell:+44 20 7946 0000\r\n');
  });
});
