// The words of the chat: why a message was not delivered (from the engine's failure codes), delivery marks, the
// day a message belongs to, and message text made safe to show (a conversation's title is `AppState.titleOf`).
// Everything here is plain text: the views put it in text nodes, never in markup.
import type { MessageDelivery, MessageFailureReason } from '../../../../main/contract/contract';
import { cleanPeerText } from '../../../../main/contract/peer-text';

export const FAILURE_WORDS: Readonly<Record<MessageFailureReason, string>> = {
  'not-found': 'No one has this address.',
  unavailable: 'They are offline, and their server keeps no messages for them.',
  rejected: 'They or their server refused the message.',
  'too-large': 'The message is too long to send.',
  'auth-failed': 'Your account’s user name or password was refused.',
  timeout: 'The server did not answer.',
  unreachable: 'The server could not be reached.',
  'server-error': 'The server had a problem and could not take the message.',
  failed: 'The message could not be delivered.',
  'no-account': 'The account this conversation uses is gone or turned off.',
};

export const DELIVERY_WORDS: Readonly<Record<MessageDelivery, string>> = {
  sending: 'Sending…',
  delivered: 'Delivered',
  failed: 'Not delivered',
  received: 'Received',
};

// C0 and C1 controls other than tab and line feed: nothing a person means to show.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/gu;

/**
 * A message's text as shown: controls other than tab and new line removed. Bidirectional formatting stays (it is
 * how right-to-left writers mark up their own text); the view isolates each body (`dir="auto"`), so it can reorder
 * nothing outside its bubble.
 */
export function shownBody(body: string): string {
  return body.replace(CONTROLS, '');
}

/** One line of a message for a list or a notification: whitespace collapsed, bidi formatting out, bounded. */
export function previewLine(body: string, max = 120): string {
  return cleanPeerText(body, max);
}

function startOfDay(time: number): number {
  const day = new Date(time);
  day.setHours(0, 0, 0, 0);
  return day.getTime();
}

/** The key that groups messages by the local day they were written. */
export function dayKey(time: number): number {
  return startOfDay(time);
}

const longDay = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
const longDayWithYear = new Intl.DateTimeFormat(undefined, { dateStyle: 'long' });
const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const shortDay = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
const shortDayWithYear = new Intl.DateTimeFormat(undefined, { dateStyle: 'short' });

/** A day separator in a thread: "Today", "Yesterday", "Monday 3 June", or with the year when it is not this year. */
export function dayLabel(time: number, now: number): string {
  const day = startOfDay(time);
  const today = startOfDay(now);
  if (day === today) return 'Today';
  const yesterday = new Date(today);
  yesterday.setDate(yesterday.getDate() - 1);
  if (day === yesterday.getTime()) return 'Yesterday';
  return new Date(time).getFullYear() === new Date(now).getFullYear()
    ? longDay.format(time)
    : longDayWithYear.format(time);
}

/** A message's time of day. */
export function timeOfDay(time: number): string {
  return clock.format(time);
}

/** When a conversation last changed, for its list entry: the time today, else the date. */
export function listTime(time: number, now: number): string {
  if (startOfDay(time) === startOfDay(now)) return clock.format(time);
  return new Date(time).getFullYear() === new Date(now).getFullYear()
    ? shortDay.format(time)
    : shortDayWithYear.format(time);
}

/** "3 unread messages" for screen readers. */
export function unreadWords(count: number): string {
  return count === 1 ? '1 unread message' : `${count} unread messages`;
}
