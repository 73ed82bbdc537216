// sip:/tel: links the operating system hands over, held until the window says it listens. A link can arrive before
// the page has loaded and subscribed (the app started by a click on a link); `dialpad.open` sent then would be
// lost. So links wait here until the window asks for them with `dialpad.ready` (it does on every page load); from
// then on each is sent as `dialpad.open` at once. Not covered: a link clicked while an already-ready window
// reloads goes out as an event nobody hears. Bounded: a flood keeps only the newest few (the last one fills the
// dialpad anyway).
import type { Events } from '../contract/contract';

export const LINK_INBOX_MAX = 8;

export interface LinkEvents {
  emit(name: 'dialpad.open', payload: Events['dialpad.open']): void;
}

export class LinkInbox {
  #waiting: string[] = [];
  #listening = false;

  constructor(private readonly events: LinkEvents) {}

  /** A link from the OS: to the window now when it listens, else kept for its `dialpad.ready`. */
  open(uri: string): void {
    if (this.#listening) {
      this.events.emit('dialpad.open', { uri });
      return;
    }
    this.#waiting.push(uri);
    if (this.#waiting.length > LINK_INBOX_MAX) this.#waiting.splice(0, this.#waiting.length - LINK_INBOX_MAX);
  }

  /** The window listens now: the links that waited, oldest first, each handed out once. */
  ready(): string[] {
    this.#listening = true;
    return this.#waiting.splice(0);
  }
}
