// The contact editor's form: what it saves (sip: added, empty rows left out, labels null when blank), its checks in
// the contract's limits, and the engine's field paths mapped onto its fields.
import { describe, expect, it } from 'vitest';
import { contactInputSchema } from '../../../main/contract/schemas';
import {
  contactFieldOf,
  contactFormFrom,
  contactInputFrom,
  emptyContactForm,
  isContactFormDirty,
  validateContactForm,
} from '../../../renderer/src/features/contacts/contact-form';
import { contact } from '../../support/fake-engine';

describe('contact form', () => {
  it('makes the input the engine accepts: sip: added, blank rows dropped, blank labels null', () => {
    const form = emptyContactForm();
    form.name = '  Ann  ';
    form.sipAddresses = [
      { value: 'ann@example.com', label: ' work ' },
      { value: '   ', label: '' },
    ];
    form.phoneNumbers = [{ value: '+1 555 0100', label: '' }];
    const input = contactInputFrom(form);
    expect(input).toEqual({
      name: 'Ann',
      sipAddresses: [{ uri: 'sip:ann@example.com', label: 'work' }],
      phoneNumbers: [{ number: '+1 555 0100', label: null }],
      note: '',
      favorite: false,
      watchPresence: false,
      accountId: null,
    });
    expect(contactInputSchema.safeParse(input).success).toBe(true);
    expect(validateContactForm(form)).toEqual({});
  });

  it('prefills from another view and watches a prefilled address', () => {
    const form = emptyContactForm({ name: 'Eve', uri: 'sip:eve@x.test' });
    expect(contactInputFrom(form)).toMatchObject({
      name: 'Eve',
      sipAddresses: [{ uri: 'sip:eve@x.test', label: null }],
      watchPresence: true,
    });
  });

  it('checks the contract’s limits in words', () => {
    const form = emptyContactForm();
    form.name = 'n'.repeat(201);
    form.sipAddresses = [{ value: 'tel:123', label: 'l'.repeat(41) }];
    form.phoneNumbers = [{ value: '1'.repeat(65), label: 'bad\u0007' }];
    form.note = 'x'.repeat(4_001);
    expect(validateContactForm(form)).toEqual({
      name: 'The name can be at most 200 characters.',
      'sipAddresses.0.uri': 'Use a SIP address (sip:proxy.example.com), not a tel: number.',
      'sipAddresses.0.label': 'A label can be at most 40 characters.',
      'phoneNumbers.0.number': 'A phone number can be at most 64 characters.',
      'phoneNumbers.0.label': 'A label cannot hold control characters.',
      note: 'The note can be at most 4000 characters.',
    });
  });

  it('allows tabs and line breaks in a note, not other controls', () => {
    const form = emptyContactForm({ name: 'A' });
    form.note = 'line one\n\tline two';
    expect(validateContactForm(form)).toEqual({});
    form.note = 'bell\u0007';
    expect(validateContactForm(form)['note']).toBe('The note cannot hold control characters.');
  });

  it('maps the engine’s field paths onto the form’s fields', () => {
    expect(contactFieldOf('0.name')).toBe('name');
    expect(contactFieldOf('1.sipAddresses.2.uri')).toBe('sipAddresses.2.uri');
    expect(contactFieldOf('phoneNumbers.0.number')).toBe('phoneNumbers.0.number');
    expect(contactFieldOf('0.accountId')).toBeNull();
    expect(contactFieldOf(undefined)).toBeNull();
  });

  it('knows unsaved edits from what was opened', () => {
    const opened = contactFormFrom(contact({ id: 'a', name: 'Ann' }));
    const same = contactFormFrom(contact({ id: 'a', name: 'Ann' }));
    expect(isContactFormDirty(same, opened)).toBe(false);
    same.name = 'Anne';
    expect(isContactFormDirty(same, opened)).toBe(true);
    // An empty row added and left empty is not an edit.
    const withRow = contactFormFrom(contact({ id: 'a', name: 'Ann' }));
    withRow.phoneNumbers.push({ value: '', label: '' });
    expect(isContactFormDirty(withRow, opened)).toBe(false);
  });
});
