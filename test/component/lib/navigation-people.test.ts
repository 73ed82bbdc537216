// Navigation for people: openChat (the chat view reads chatWith), addContact / showContact (the contacts view reads
// contactRequest), and the contact editor's unsaved edits held like the account editor's, named in the question.
import { describe, expect, it } from 'vitest';
import { Navigation } from '../../../renderer/src/lib/state/navigation.svelte';

describe('Navigation for contacts and chat', () => {
  it('opens the chat view with whom to chat', () => {
    const navigation = new Navigation();
    navigation.openChat('sip:bob@example.com', 'office');
    expect(navigation.view).toBe('chat');
    expect(navigation.chatWith).toEqual({ uri: 'sip:bob@example.com', accountId: 'office' });
  });

  it('asks the contacts view for a new contact or one contact', () => {
    const navigation = new Navigation();
    navigation.addContact('sip:eve@example.com', 'Eve');
    expect(navigation.view).toBe('contacts');
    expect(navigation.contactRequest).toEqual({ kind: 'new', uri: 'sip:eve@example.com', name: 'Eve' });
    navigation.showContact('c1');
    expect(navigation.contactRequest).toEqual({ kind: 'show', id: 'c1' });
  });

  it('holds leaving the contacts view while the contact editor has unsaved edits, and names it', () => {
    const navigation = new Navigation();
    navigation.show('contacts');
    let dirty = true;
    const release = navigation.protectEdits(() => dirty, 'contact');
    navigation.show('history');
    expect(navigation.view).toBe('contacts');
    expect(navigation.leaveRequest?.subject).toBe('contact');
    navigation.keepEditing();
    navigation.openChat('sip:bob@example.com', null);
    expect(navigation.view).toBe('contacts');
    navigation.discardAndLeave();
    expect(navigation.view).toBe('chat');
    expect(navigation.chatWith?.uri).toBe('sip:bob@example.com');
    dirty = false;
    release();
  });

  it('still names the account editor in its question', () => {
    const navigation = new Navigation();
    navigation.editAccount('a');
    navigation.protectEdits(() => true);
    navigation.show('history');
    expect(navigation.leaveRequest?.subject).toBe('account');
  });
});
