import { describe, expect, it } from 'vitest';
import { Navigation } from '../../../renderer/src/lib/state/navigation.svelte';

function editingWithChanges() {
  const navigation = new Navigation();
  navigation.editAccount('a');
  let dirty = true;
  const release = navigation.protectEdits(() => dirty);
  return { navigation, release, setDirty: (value: boolean) => (dirty = value) };
}

describe('Navigation', () => {
  it('moves freely while no editor has unsaved edits', () => {
    const { navigation, setDirty } = editingWithChanges();
    setDirty(false);
    navigation.editAccount('b');
    expect(navigation.editing).toEqual({ kind: 'existing', id: 'b' });
    navigation.show('dialpad');
    expect(navigation.view).toBe('dialpad');
    expect(navigation.leaveRequest).toBeNull();
  });

  it('holds a switch to another account, another view or a new account until the person decides', () => {
    for (const change of [
      (n: Navigation) => n.editAccount('b'),
      (n: Navigation) => n.show('history'),
      (n: Navigation) => n.addAccount(),
    ]) {
      const { navigation } = editingWithChanges();
      change(navigation);
      expect(navigation.leaveRequest).not.toBeNull();
      expect(navigation.view).toBe('settings');
      expect(navigation.editing).toEqual({ kind: 'existing', id: 'a' });
    }
  });

  it('carries the change out after "discard", and drops it after "keep editing"', () => {
    const { navigation } = editingWithChanges();
    navigation.editAccount('b');
    navigation.keepEditing();
    expect(navigation.leaveRequest).toBeNull();
    expect(navigation.editing).toEqual({ kind: 'existing', id: 'a' });

    navigation.show('chat');
    navigation.discardAndLeave();
    expect(navigation.view).toBe('chat');
    expect(navigation.leaveRequest).toBeNull();
  });

  it('does not ask for a change that keeps the same editor open', () => {
    const { navigation } = editingWithChanges();
    navigation.editAccount('a');
    navigation.show('settings');
    expect(navigation.leaveRequest).toBeNull();
  });

  it('stops asking once the editor is gone', () => {
    const { navigation, release } = editingWithChanges();
    release();
    navigation.show('dialpad');
    expect(navigation.view).toBe('dialpad');
  });

  it('asks through leaveEditor for the editor’s own close', () => {
    const { navigation } = editingWithChanges();
    let closed = false;
    navigation.leaveEditor(() => (closed = true));
    expect(closed).toBe(false);
    navigation.discardAndLeave();
    expect(closed).toBe(true);
  });
});
