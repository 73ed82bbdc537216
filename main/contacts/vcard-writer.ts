// Writes contacts as a vCard 3.0 (RFC 2426) or 4.0 (RFC 6350) file: per contact FN, N, TEL with its TYPE, the SIP
// addresses as IMPP (RFC 4770 for 3.0; 3.0 files also get X-SIP, which older address books read), NOTE, CATEGORIES
// for a favourite, UID and REV. Text is escaped (§3.4), lines end in CRLF and are folded at 75 octets (§3.2) without
// cutting a UTF-8 sequence or an escape in two. Labels the TYPE parameter has no word for go in an `itemN.X-ABLabel`
// beside the property, as Apple's address book writes them.
//
// Not written: whether presence is watched and the account, which mean nothing outside this app. TEL stays text in
// 4.0 too (its default value type): a tel: URI cannot hold the spaces a person wrote the number with.
import type { ContactDto, VcardVersion } from '../contract/contract';
import { typesForLabel } from './vcard-labels';

/** RFC 6350 §3.2: "Lines of text SHOULD NOT be longer than 75 octets, excluding the line break." */
export const FOLD_OCTETS = 75;

const CRLF = '\r\n';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The contacts as one vCard file, in the order given. */
export function writeVcards(contacts: readonly ContactDto[], version: VcardVersion): string {
  return contacts.map((contact) => writeVcard(contact, version)).join('');
}

/** One contact as one card, ending in CRLF. */
export function writeVcard(contact: ContactDto, version: VcardVersion): string {
  const lines: string[] = ['BEGIN:VCARD', `VERSION:${version}`];
  lines.push(`FN:${escapeText(contact.name)}`);
  // N is required in 3.0. The name is one text here; splitting it into family and given names would guess wrong for
  // many names, so all of it goes in the given-name component.
  lines.push(`N:;${escapeText(contact.name)};;;`);
  let groups = 0;
  /** How a label is written: TYPE values when it has words for them, otherwise an X-ABLabel in a fresh group. */
  const labelling = (label: string | null, kind: 'phone' | 'sip'): Labelling => {
    const types = label === null ? null : typesForLabel(label, kind);
    if (label === null || types !== null)
      return { prefix: '', params: types ? `;TYPE=${types.join(',')}` : '' };
    groups += 1;
    return { prefix: `item${groups}.`, params: '', abLabel: `item${groups}.X-ABLabel:${escapeText(label)}` };
  };
  for (const phone of contact.phoneNumbers) {
    const { prefix, params, abLabel } = labelling(phone.label, 'phone');
    lines.push(`${prefix}TEL${params}:${escapeText(phone.number)}`);
    if (abLabel) lines.push(abLabel);
  }
  for (const address of contact.sipAddresses) {
    const { prefix, params, abLabel } = labelling(address.label, 'sip');
    // IMPP's value is a URI, written as it is (RFC 6350 §3.4 escapes text values only); X-SIP is text.
    lines.push(`${prefix}IMPP${params}:${address.uri}`);
    if (version === '3.0') lines.push(`${prefix}X-SIP${params}:${escapeText(address.uri)}`);
    if (abLabel) lines.push(abLabel);
  }
  if (contact.note.length > 0) lines.push(`NOTE:${escapeText(contact.note)}`);
  if (contact.favorite) lines.push('CATEGORIES:favorite');
  lines.push(uidLine(contact.id, version));
  lines.push(`REV:${timestamp(contact.updatedAt, version)}`);
  lines.push('END:VCARD');
  return lines.map(fold).join('');
}

interface Labelling {
  /** `itemN.` when the label needs a group of its own, else empty. */
  readonly prefix: string;
  /** `;TYPE=work,cell`, or empty. */
  readonly params: string;
  readonly abLabel?: string;
}

/** RFC 6350 §3.4 text escaping: backslash, comma, semicolon, and every line break as `\n`. */
export function escapeText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/,/g, '\\,')
    .replace(/;/g, '\\;')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * One content line folded at FOLD_OCTETS octets of UTF-8 (continuation lines start with a space, which counts), and
 * ended with CRLF. A cut falls between characters, never inside a UTF-8 sequence or a surrogate pair, and never
 * between a backslash and the character it escapes, so even a careless reader sees whole characters.
 */
export function fold(line: string): string {
  let out = '';
  let used = 0;
  let i = 0;
  while (i < line.length) {
    const unit = unitAt(line, i);
    const octets = Buffer.byteLength(unit, 'utf8');
    if (used + octets > FOLD_OCTETS && used > 0) {
      out += `${CRLF} `;
      used = 1;
    }
    out += unit;
    used += octets;
    i += unit.length;
  }
  return out + CRLF;
}

/** The text that must not be cut: one code point, or a backslash with the character it escapes. */
function unitAt(line: string, i: number): string {
  const first = String.fromCodePoint(line.codePointAt(i)!);
  if (first !== '\\' || i + 1 >= line.length) return first;
  return first + String.fromCodePoint(line.codePointAt(i + 1)!);
}

/**
 * Our ids are UUIDs, written as `urn:uuid:` URIs in both versions (4.0's UID is a URI by default, RFC 6350 §6.7.6);
 * any other id is written as text.
 */
function uidLine(id: string, version: VcardVersion): string {
  if (UUID.test(id)) return `UID:urn:uuid:${id.toLowerCase()}`;
  return `UID${version === '4.0' ? ';VALUE=text' : ''}:${escapeText(id)}`;
}

/** REV in UTC: `2026-12-05T06:37:54Z` for 3.0 (ISO 8601 as RFC 2426 shows it), `20261205T063754Z` for 4.0. */
function timestamp(ms: number, version: VcardVersion): string {
  const iso = new Date(Number.isFinite(ms) ? ms : 0).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return version === '4.0' ? iso.replace(/[-:]/g, '') : iso;
}
