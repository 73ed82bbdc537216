// Text from a vCard made fit for a contact: the contract's schemas refuse control characters and bound lengths in
// UTF-16 code units (JavaScript's string length), so imported values are cleaned and cut the same way here rather
// than refused whole.
import { CONTROL_CHARACTERS, TEXT_CONTROL_CHARACTERS } from '../contract/limits';

/** Runs of the characters the schemas refuse, in one line and in a note. */
const CONTROLS = new RegExp(`${CONTROL_CHARACTERS.source}+`, 'g');
const NOTE_CONTROLS = new RegExp(`${TEXT_CONTROL_CHARACTERS.source}+`, 'g');

/** One line of plain text: controls (line breaks included) become a space; trimmed. */
export function singleLine(text: string): string {
  return text.replace(CONTROLS, ' ').trim();
}

/** A note: line breaks normalised to LF, other controls dropped. */
export function multiLine(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(NOTE_CONTROLS, '');
}

/** At most `max` UTF-16 code units, never cutting a surrogate pair in two; trimmed at the end. */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end).trimEnd();
}
