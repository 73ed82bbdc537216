import { describe, expect, it } from 'vitest';
import { AccountEditorState } from '../../../renderer/src/lib/state/account-editor.svelte';
import { account, status } from '../support/fake-engine';
import { startApp } from '../support/render';

const office = account({ id: 'a', displayName: 'Office', aor: 'sip:alice@example.com', expires: 600 });

async function editor(existing: typeof office | null, accounts = existing ? [existing] : []) {
  const { app, engine } = await startApp({ accounts });
  return { state: new AccountEditorState(app.accounts, app.registrations, existing), app, engine };
}

describe('AccountEditorState', () => {
  it('adds sip: when the address is left without it, and says so', async () => {
    const { state } = await editor(null);
    state.form.aor = 'bob@example.com';
    state.left('aor');
    expect(state.form.aor).toBe('sip:bob@example.com');
    expect(state.corrections.aor).toBe('Added sip: in front: sip:bob@example.com');
    expect(state.errorOf('aor')).toBeUndefined();
    state.edited('aor');
    expect(state.corrections.aor).toBeUndefined();
  });

  it('applies the correction on save too, and sends the corrected address', async () => {
    const { state, engine } = await editor(null);
    state.form.aor = 'bob@example.com';
    state.form.outboundProxy = '192.0.2.10:5060';
    expect(await state.save()).toEqual({ kind: 'saved' });
    expect(engine.bridge.callsOf('accounts.create')[0]?.[0]).toMatchObject({
      aor: 'sip:bob@example.com',
      outboundProxy: 'sip:192.0.2.10:5060',
      expires: 600,
      registrar: null,
      keepAliveSeconds: 0,
      keepAliveKind: 'crlf',
    });
  });

  it('refuses a second account with the same address and proxy before asking the engine', async () => {
    const { state, engine } = await editor(null, [office]);
    state.form.aor = 'alice@example.com';
    expect(await state.save()).toEqual({ kind: 'invalid', field: 'aor' });
    expect(state.errorOf('aor')).toBe('The account “Office” already has this address and outbound proxy.');
    expect(engine.bridge.callsOf('accounts.create')).toEqual([]);
  });

  it('shows the engine’s conflict on the address field, in the window’s words', async () => {
    const { state, engine } = await editor(null);
    engine.bridge.handle('accounts.create', () => ({
      ok: false,
      error: { code: 'conflict', message: 'aor+proxy exists', field: 'aor' },
    }));
    state.form.aor = 'sip:alice@example.com';
    expect(await state.save()).toEqual({ kind: 'refused-field', field: 'aor' });
    expect(state.errorOf('aor')).toBe('Another account already has this address and outbound proxy.');
    expect(state.phase).toBe('editing');
  });

  it('knows when there are unsaved edits, and forgets them once saved', async () => {
    const { state } = await editor(office);
    expect(state.dirty).toBe(false);
    state.form.displayName = 'Office 2';
    expect(state.dirty).toBe(true);
    await state.save();
    expect(state.dirty).toBe(false);
    state.form.password = 'new';
    expect(state.dirty).toBe(true);
  });

  it('follows the test only with statuses that came after the save, and always knows the current status', async () => {
    const { state, engine } = await editor(office);
    engine.bridge.emit('registration.changed', status({ accountId: 'a', state: 'failed', detail: 'Old' }));
    expect(state.currentStatus?.detail).toBe('Old');
    await state.save();
    expect(state.phase).toBe('testing');
    expect(state.testStatus).toBeNull();
    engine.bridge.emit('registration.changed', status({ accountId: 'a', state: 'registered', expires: 600 }));
    expect(state.testStatus?.state).toBe('registered');
    expect(state.currentStatus?.state).toBe('registered');
  });

  it('saves a disabled account without testing it', async () => {
    const { state, engine } = await editor(office);
    state.form.enabled = false;
    await state.save();
    expect(state.phase).toBe('saved');
    expect(engine.bridge.callsOf('accounts.registerNow')).toEqual([]);
  });

  it('deletes only after the question, and says why a delete failed', async () => {
    const { state, engine } = await editor(office);
    state.askDelete();
    expect(state.confirmingDelete).toBe(true);
    state.keep();
    expect(state.confirmingDelete).toBe(false);
    engine.bridge.handle('accounts.delete', () => ({
      ok: false,
      error: { code: 'storage', message: 'read-only' },
    }));
    state.askDelete();
    expect(await state.confirmDelete()).toBe(false);
    expect(state.deleteError).toBe('The account was not deleted: read-only');
  });
});
