// One status for a buddy out of a PIDF document with several tuples (devices, services) and persons (RFC 4479 §3:
// a presentity is one person reachable through many services). The rule, in order:
//
// 1. Reachable: some tuple says <basic>open</basic> ("open beats closed"). Tuples that all say closed make the buddy
//    offline. A document with no <basic> at all (persons only) is judged by its activities alone, and with none of
//    those either it is `unknown`.
// 2. The activities that count are every person's and those of open tuples; a closed tuple's are stale.
// 3. The strongest activity decides: do-not-disturb (`<rpid:other>` saying "do-not-disturb" or "dnd", how we publish
//    it) beats busy-like (busy, on-the-phone, meeting, appointment, performance, presentation), which beats away-like
//    (away, vacation, holiday, sleeping, meals, travel, in-transit, steering, shopping, permanent-absence), which beats
//    available. Activities that say nothing about being reachable (working, playing, unknown...) change nothing.
// 4. The note comes from the most recent source (greatest <timestamp>; a source without one is oldest; among equals,
//    persons before tuples, then document order), among the persons and the open tuples — or all tuples when none is
//    open, so "back on Monday" still shows for an offline buddy. Then the document's own notes. Within a source, the
//    note in the first preferred language wins, else one without xml:lang, else the first.
// 5. The contact is that of the open tuple with the highest priority, the most recent among equals.
import type { Activity, Note, PresenceDocument, PresencePerson, PresenceTuple } from './pidf';

export type Availability = 'available' | 'away' | 'busy' | 'do-not-disturb' | 'offline' | 'unknown';

export interface MergedPresence {
  readonly availability: Availability;
  /** The activities that counted (rule 2), without duplicates. */
  readonly activities: readonly Activity[];
  readonly onThePhone: boolean;
  readonly note?: Note;
  readonly contact?: string;
}

const BUSY_LIKE = new Set(['busy', 'on-the-phone', 'meeting', 'appointment', 'performance', 'presentation']);
const AWAY_LIKE = new Set([
  'away',
  'vacation',
  'holiday',
  'sleeping',
  'breakfast',
  'lunch',
  'dinner',
  'meal',
  'travel',
  'in-transit',
  'steering',
  'shopping',
  'permanent-absence',
]);
const DND_WORDS = new Set(['do-not-disturb', 'dnd', 'do not disturb']);

export interface MergeOptions {
  /** Preferred note languages, most preferred first (e.g. ['de', 'en']). */
  readonly languages?: readonly string[];
}

export function mergePresence(document: PresenceDocument, options: MergeOptions = {}): MergedPresence {
  const open = document.tuples.filter((tuple) => tuple.basic === 'open');
  const withBasic = document.tuples.filter((tuple) => tuple.basic !== undefined);
  const activities = dedupe([
    ...document.persons.flatMap((p) => p.activities),
    ...open.flatMap((t) => t.activities),
  ]);
  let availability: Availability;
  if (open.length > 0) availability = fromActivities(activities);
  else if (withBasic.length > 0) availability = 'offline';
  else availability = activities.length > 0 ? fromActivities(activities) : 'unknown';
  const counted = availability === 'offline' ? [] : activities;
  const note = pickNote(document, open.length > 0 ? open : document.tuples, options.languages ?? []);
  const contact = pickContact(open);
  return {
    availability,
    activities: counted,
    onThePhone: counted.some((activity) => activity.kind === 'on-the-phone'),
    ...(note ? { note } : {}),
    ...(contact !== undefined ? { contact } : {}),
  };
}

function fromActivities(activities: readonly Activity[]): Availability {
  if (activities.some((a) => a.kind === 'other' && DND_WORDS.has(a.text.toLowerCase())))
    return 'do-not-disturb';
  if (activities.some((a) => BUSY_LIKE.has(a.kind))) return 'busy';
  if (activities.some((a) => AWAY_LIKE.has(a.kind))) return 'away';
  return 'available';
}

function dedupe(activities: readonly Activity[]): Activity[] {
  const seen = new Set<string>();
  const out: Activity[] = [];
  for (const activity of activities) {
    const key = activity.kind === 'other' ? `other:${activity.text}` : activity.kind;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(activity);
  }
  return out;
}

interface NoteSource {
  readonly notes: readonly Note[];
  readonly timestamp?: number;
}

function pickNote(
  document: PresenceDocument,
  tuples: readonly PresenceTuple[],
  languages: readonly string[],
): Note | undefined {
  const sources: NoteSource[] = [...document.persons, ...tuples].filter((s) => s.notes.length > 0);
  // A stable sort keeps persons before tuples and document order among equal timestamps.
  sources.sort((a, b) => (b.timestamp ?? -Infinity) - (a.timestamp ?? -Infinity) || 0);
  const best = sources[0];
  if (best) return inLanguage(best.notes, languages);
  return document.notes.length > 0 ? inLanguage(document.notes, languages) : undefined;
}

function inLanguage(notes: readonly Note[], languages: readonly string[]): Note | undefined {
  for (const language of languages) {
    const wanted = language.toLowerCase();
    const match = notes.find((note) => {
      const lang = note.lang?.toLowerCase();
      return lang === wanted || lang?.startsWith(`${wanted}-`) === true;
    });
    if (match) return match;
  }
  return notes.find((note) => note.lang === undefined) ?? notes[0];
}

function pickContact(open: readonly PresenceTuple[]): string | undefined {
  const candidates = open.filter((tuple) => tuple.contact !== undefined);
  candidates.sort(
    (a, b) =>
      (b.priority ?? 0) - (a.priority ?? 0) || (b.timestamp ?? -Infinity) - (a.timestamp ?? -Infinity) || 0,
  );
  return candidates[0]?.contact;
}

export type { PresencePerson };
