// The contact editor's fields as typed, their checks (the contract's limits, said in words a person can act on), and
// the ContactInput they become. Field keys follow the engine's `invalid-argument` field paths (`name`,
// `sipAddresses.1.uri`, `phoneNumbers.0.number`), so a refusal lands under the field it is about.
import type { ContactDto, ContactInput } from '../../../../main/contract/contract';
import {
  CONTACT_ADDRESSES_MAX,
  CONTACT_LABEL_MAX,
  CONTACT_NAME_MAX,
  CONTACT_NOTE_MAX,
  CONTROL_CHARACTERS,
  PHONE_NUMBER_MAX,
  PHONE_NUMBER_PATTERN,
  SIP_URI_MAX,
  TEXT_CONTROL_CHARACTERS,
} from '../../../../main/contract/limits';
import { withSipScheme } from '../../lib/account-form';
import { checkSipUri } from '../../lib/sip-uri-check';

export interface LabelledField {
  value: string;
  label: string;
}

export interface ContactForm {
  name: string;
  sipAddresses: LabelledField[];
  phoneNumbers: LabelledField[];
  note: string;
  favorite: boolean;
  watchPresence: boolean;
  /** '' for the first enabled account. */
  accountId: string;
}

/** Field path → message. */
export type ContactFormErrors = Record<string, string>;

export function emptyContactForm(prefill: { name?: string; uri?: string } = {}): ContactForm {
  return {
    name: prefill.name ?? '',
    sipAddresses: [{ value: prefill.uri ?? '', label: '' }],
    phoneNumbers: [],
    note: '',
    favorite: false,
    watchPresence: prefill.uri !== undefined,
    accountId: '',
  };
}

export function contactFormFrom(contact: ContactDto): ContactForm {
  return {
    name: contact.name,
    sipAddresses: contact.sipAddresses.map((item) => ({ value: item.uri, label: item.label ?? '' })),
    phoneNumbers: contact.phoneNumbers.map((item) => ({ value: item.number, label: item.label ?? '' })),
    note: contact.note,
    favorite: contact.favorite,
    watchPresence: contact.watchPresence,
    accountId: contact.accountId ?? '',
  };
}

/** A SIP address as it will be saved: `bob@example.com` gains its `sip:`. */
function savedUri(text: string): string {
  return withSipScheme(text, { requireUser: false }) ?? text.trim();
}

/** The command payload; empty address and number rows are left out. */
export function contactInputFrom(form: ContactForm): ContactInput {
  return {
    name: form.name.trim(),
    sipAddresses: form.sipAddresses
      .filter((item) => item.value.trim() !== '')
      .map((item) => ({ uri: savedUri(item.value), label: item.label.trim() || null })),
    phoneNumbers: form.phoneNumbers
      .filter((item) => item.value.trim() !== '')
      .map((item) => ({ number: item.value.trim(), label: item.label.trim() || null })),
    note: form.note,
    favorite: form.favorite,
    watchPresence: form.watchPresence,
    accountId: form.accountId === '' ? null : form.accountId,
  };
}

function lineProblem(what: string, text: string, max: number): string | null {
  if ([...text].length > max) return `${what} can be at most ${max} characters.`;
  if (CONTROL_CHARACTERS.test(text)) return `${what} cannot hold control characters.`;
  return null;
}

/** Every problem, by field path; empty when the form can be saved. */
export function validateContactForm(form: ContactForm): ContactFormErrors {
  const errors: ContactFormErrors = {};
  const name = lineProblem('The name', form.name, CONTACT_NAME_MAX);
  if (name) errors['name'] = name;
  form.sipAddresses.forEach((item, index) => {
    const text = item.value.trim();
    if (text !== '') {
      const problem =
        text.length > SIP_URI_MAX
          ? `A SIP address can be at most ${SIP_URI_MAX} characters.`
          : checkSipUri(savedUri(text), { requireUser: false });
      if (problem) errors[`sipAddresses.${index}.uri`] = problem;
    }
    const label = lineProblem('A label', item.label, CONTACT_LABEL_MAX);
    if (label) errors[`sipAddresses.${index}.label`] = label;
  });
  form.phoneNumbers.forEach((item, index) => {
    const text = item.value.trim();
    if (text !== '') {
      const problem =
        lineProblem('A phone number', text, PHONE_NUMBER_MAX) ??
        (PHONE_NUMBER_PATTERN.test(text)
          ? null
          : 'A phone number may hold digits, + at the start, spaces and ( ) . - / * #.');
      if (problem) errors[`phoneNumbers.${index}.number`] = problem;
    }
    const label = lineProblem('A label', item.label, CONTACT_LABEL_MAX);
    if (label) errors[`phoneNumbers.${index}.label`] = label;
  });
  if (form.sipAddresses.length > CONTACT_ADDRESSES_MAX)
    errors['sipAddresses'] = `A contact can have at most ${CONTACT_ADDRESSES_MAX} SIP addresses.`;
  if (form.phoneNumbers.length > CONTACT_ADDRESSES_MAX)
    errors['phoneNumbers'] = `A contact can have at most ${CONTACT_ADDRESSES_MAX} phone numbers.`;
  if ([...form.note].length > CONTACT_NOTE_MAX)
    errors['note'] = `The note can be at most ${CONTACT_NOTE_MAX} characters.`;
  else if (TEXT_CONTROL_CHARACTERS.test(form.note))
    errors['note'] = 'The note cannot hold control characters.';

  const input = contactInputFrom(form);
  if (
    !errors['name'] &&
    input.name === '' &&
    input.sipAddresses.length === 0 &&
    input.phoneNumbers.length === 0
  )
    errors['name'] = 'Give a name, a SIP address or a phone number.';
  if (input.watchPresence && input.sipAddresses.length === 0 && !errors['sipAddresses.0.uri'])
    errors['sipAddresses.0.uri'] = 'Watching presence needs a SIP address.';
  return errors;
}

/** The engine's field path (`0.sipAddresses.1.uri`, `sipAddresses.1.uri`) as a form field key. */
export function contactFieldOf(field: string | undefined): string | null {
  if (!field) return null;
  const parts = field.split('.');
  // The command's argument position comes first (0 for create, 1 for update's input).
  while (parts.length > 0 && /^[0-9]+$/u.test(parts[0] ?? '')) parts.shift();
  const key = parts.join('.');
  if (key === '') return null;
  if (key === 'sipAddresses' || key === 'phoneNumbers' || key === 'name' || key === 'note') return key;
  return /^(sipAddresses\.[0-9]+\.(uri|label)|phoneNumbers\.[0-9]+\.(number|label))$/u.test(key) ? key : null;
}

export function isContactFormDirty(form: ContactForm, baseline: ContactForm): boolean {
  return JSON.stringify(contactInputFrom(form)) !== JSON.stringify(contactInputFrom(baseline));
}
