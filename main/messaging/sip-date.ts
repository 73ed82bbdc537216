// RFC 3261 §20.17: the Date header is an RFC 1123 date, always in GMT ("Sat, 13 Nov 2010 23:29:00 GMT"). A
// store-and-forward server (msilo) keeps the sender's Date on a message it delivers later, so it is when the message
// was written. A sender's clock can be anything: a date before 2000 or more than a day ahead of ours is ignored
// rather than trusted to sort a conversation.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const SIP_DATE =
  /^\s*(?:(?:mon|tue|wed|thu|fri|sat|sun),\s*)?(\d{1,2})\s+([a-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+(?:gmt|utc|ut|z|\+0000)\s*$/i;

/** Earliest date we believe: nothing we receive was written before 2000-01-01. */
const EARLIEST = Date.UTC(2000, 0, 1);
/** How far ahead of our clock a sender's may be before its Date is ignored. */
const MAX_AHEAD_MS = 24 * 3_600_000;

/** An RFC 1123 date in GMT → ms since the epoch; undefined when it is not one. */
export function parseSipDate(value: string): number | undefined {
  const match = SIP_DATE.exec(value);
  if (!match) return undefined;
  const [, day, monthName, year, hours, minutes, seconds] = match;
  const month = MONTHS.indexOf(monthName!.toLowerCase());
  if (month < 0) return undefined;
  const numbers = [day, year, hours, minutes, seconds].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const [d, y, h, m, s] = numbers;
  if (d < 1 || d > 31 || h > 23 || m > 59 || s > 60) return undefined;
  const time = Date.UTC(y, month, d, h, m, Math.min(s, 59));
  // Date.UTC rolls 31 February over into March: such a date is not one.
  if (new Date(time).getUTCDate() !== d) return undefined;
  return time;
}

/** The message's own date when its Date header is sane next to `receivedAt`; null otherwise. */
export function messageDate(header: string | undefined, receivedAt: number): number | null {
  return saneDate(header === undefined ? undefined : parseSipDate(header), receivedAt);
}

/** A sender's time (a Date header's, a CPIM DateTime) when believable next to `receivedAt`; null otherwise. */
export function saneDate(time: number | undefined, receivedAt: number): number | null {
  if (time === undefined || time < EARLIEST || time > receivedAt + MAX_AHEAD_MS) return null;
  return time;
}

/** Our Date header for a time (RFC 1123, GMT). */
export function formatSipDate(time: number): string {
  return new Date(time).toUTCString();
}
