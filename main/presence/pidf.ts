// RFC 3863 (PIDF), RFC 4479 (the data model: person, service = tuple, device) and RFC 4480 (RPID activities): a
// presence document as typed data. Parsing is lenient where presence servers differ and strict where it matters:
// unknown elements and extensions are skipped (RFC 3863 §4.1.5 says so, "mustUnderstand" aside), activities are
// read wherever real servers put them (in a dm:person, RFC 4479 §3.1; or inside a tuple's status, as older RPID
// clients do), and anything that is not a presence document is a Result error. Merging the parts into one status
// for a buddy list is presence-merge.ts; building our own document is pidf-builder.ts.
import { type Result, err, ok } from '../sip/message/result';
import {
  type XmlElement,
  type XmlError,
  type XmlLimits,
  DEFAULT_XML_LIMITS,
  attributeOf,
  childOf,
  childrenOf,
  parseXml,
} from './xml-document';

export const PIDF_NAMESPACE = 'urn:ietf:params:xml:ns:pidf';
export const DATA_MODEL_NAMESPACE = 'urn:ietf:params:xml:ns:pidf:data-model';
export const RPID_NAMESPACE = 'urn:ietf:params:xml:ns:pidf:rpid';
export const PIDF_CONTENT_TYPE = 'application/pidf+xml';

/** RFC 4480 §3.2's activities, plus `unknown`; anything else arrives as `other` with its text. */
export const RPID_ACTIVITIES = [
  'appointment',
  'away',
  'breakfast',
  'busy',
  'dinner',
  'holiday',
  'in-transit',
  'looking-for-work',
  'lunch',
  'meal',
  'meeting',
  'on-the-phone',
  'performance',
  'permanent-absence',
  'playing',
  'presentation',
  'shopping',
  'sleeping',
  'spectator',
  'steering',
  'travel',
  'tv',
  'unknown',
  'vacation',
  'working',
  'worship',
] as const;

export type RpidActivityName = (typeof RPID_ACTIVITIES)[number];

export type Activity =
  | { readonly kind: RpidActivityName }
  /** `<rpid:other>` with its free text (we publish "do-not-disturb" this way), or an element we do not know. */
  | { readonly kind: 'other'; readonly text: string };

export interface Note {
  readonly text: string;
  readonly lang?: string;
}

export type BasicStatus = 'open' | 'closed';

/** A tuple (a service, RFC 4479 §3.2): one way to reach the presentity. */
export interface PresenceTuple {
  readonly id: string;
  readonly basic?: BasicStatus;
  readonly contact?: string;
  /** The contact's priority, 0 to 1 (RFC 3863 §4.1.4). */
  readonly priority?: number;
  readonly notes: readonly Note[];
  /** Milliseconds since the epoch. */
  readonly timestamp?: number;
  readonly activities: readonly Activity[];
}

/** A person (RFC 4479 §3.1): what the human is doing, with its notes. */
export interface PresencePerson {
  readonly id: string;
  readonly activities: readonly Activity[];
  readonly notes: readonly Note[];
  readonly timestamp?: number;
}

export interface PresenceDocument {
  /** The presentity's URI (RFC 3863 §4.1.1), e.g. `pres:bob@example.com` or `sip:bob@example.com`. */
  readonly entity: string;
  readonly tuples: readonly PresenceTuple[];
  readonly persons: readonly PresencePerson[];
  /** Notes directly under <presence>. */
  readonly notes: readonly Note[];
}

export type PidfErrorCode = XmlError['code'] | 'not-pidf';

export interface PidfError {
  readonly code: PidfErrorCode;
  readonly message: string;
}

/** A note's text is kept to this many characters: a note is a line in a buddy list, not a document. */
export const MAX_NOTE_LENGTH = 1_024;
/** Notes kept per element (one per language is the point of having several, RFC 3863 §4.1.6). */
const MAX_NOTES = 8;
const MAX_ACTIVITIES = 16;

export function parsePidf(
  body: Uint8Array | string,
  limits: XmlLimits = DEFAULT_XML_LIMITS,
): Result<PresenceDocument, PidfError> {
  const xml = parseXml(body, limits);
  if (!xml.ok) return err(xml.error);
  const root = xml.value;
  if (root.ns !== PIDF_NAMESPACE || root.name !== 'presence')
    return err({ code: 'not-pidf', message: `the root is {${root.ns}}${root.name}, not a PIDF <presence>` });
  const entity = attributeOf(root, 'entity');
  if (entity === undefined)
    return err({ code: 'not-pidf', message: '<presence> has no entity (RFC 3863 §4.1.1)' });
  return ok({
    entity: entity.trim(),
    tuples: childrenOf(root, PIDF_NAMESPACE, 'tuple').map(readTuple),
    persons: childrenOf(root, DATA_MODEL_NAMESPACE, 'person').map(readPerson),
    notes: readNotes(root, PIDF_NAMESPACE),
  });
}

function readTuple(tuple: XmlElement): PresenceTuple {
  const status = childOf(tuple, PIDF_NAMESPACE, 'status');
  const basicText = status ? childOf(status, PIDF_NAMESPACE, 'basic')?.text.trim().toLowerCase() : undefined;
  const contact = childOf(tuple, PIDF_NAMESPACE, 'contact');
  const priority = contact ? parsePriority(attributeOf(contact, 'priority')) : undefined;
  const timestamp = parseTimestamp(childOf(tuple, PIDF_NAMESPACE, 'timestamp')?.text);
  const activities = [...readActivities(status), ...readActivities(tuple)].slice(0, MAX_ACTIVITIES);
  return {
    id: attributeOf(tuple, 'id') ?? '',
    ...(basicText === 'open' || basicText === 'closed' ? { basic: basicText } : {}),
    ...(contact && contact.text.trim() !== '' ? { contact: contact.text.trim() } : {}),
    ...(priority !== undefined ? { priority } : {}),
    notes: readNotes(tuple, PIDF_NAMESPACE),
    ...(timestamp !== undefined ? { timestamp } : {}),
    activities,
  };
}

function readPerson(person: XmlElement): PresencePerson {
  const timestamp = parseTimestamp(childOf(person, DATA_MODEL_NAMESPACE, 'timestamp')?.text);
  return {
    id: attributeOf(person, 'id') ?? '',
    activities: readActivities(person).slice(0, MAX_ACTIVITIES),
    // RFC 4479 §3.1 puts the person's note in the data-model namespace; some servers use PIDF's note or RPID's.
    notes: [
      ...readNotes(person, DATA_MODEL_NAMESPACE),
      ...readNotes(person, PIDF_NAMESPACE),
      ...readNotes(person, RPID_NAMESPACE),
    ].slice(0, MAX_NOTES),
    ...(timestamp !== undefined ? { timestamp } : {}),
  };
}

/** RFC 4480 §3.2: <rpid:activities> holds one element per activity (with an optional <rpid:note> of its own). */
function readActivities(parent: XmlElement | undefined): Activity[] {
  if (!parent) return [];
  const out: Activity[] = [];
  for (const activities of childrenOf(parent, RPID_NAMESPACE, 'activities')) {
    for (const child of activities.children) {
      if (child.ns !== RPID_NAMESPACE || child.name === 'note') continue;
      if (child.name === 'other') out.push({ kind: 'other', text: clip(child.text.trim(), 64) });
      else if ((RPID_ACTIVITIES as readonly string[]).includes(child.name))
        out.push({ kind: child.name as RpidActivityName });
      else out.push({ kind: 'other', text: clip(child.name, 64) });
    }
  }
  return out;
}

function readNotes(parent: XmlElement, ns: string): Note[] {
  return childrenOf(parent, ns, 'note')
    .slice(0, MAX_NOTES)
    .map((note) => ({
      text: clip(note.text.trim(), MAX_NOTE_LENGTH),
      ...(note.lang !== undefined ? { lang: note.lang } : {}),
    }))
    .filter((note) => note.text !== '');
}

/** RFC 3863 §4.1.4: qvalue, "0" to "1" with up to three decimals. Anything else counts as absent. */
function parsePriority(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*(0(\.\d{0,3})?|1(\.0{0,3})?)\s*$/.test(text)) return undefined;
  return Number(text);
}

/** RFC 3863 §4.1.7: an RFC 3339 date-time. Unparseable stamps count as absent, so they never win "most recent". */
function parseTimestamp(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(trimmed))
    return undefined;
  const ms = Date.parse(trimmed);
  return Number.isFinite(ms) ? ms : undefined;
}

/** Cuts at a code point boundary so a surrogate pair is never split. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
