// sip:/tel: links the operating system hands over, held until the window has taken them. A link can arrive before
// the page has loaded and subscribed (the app started by a click on a link), or while a window that listened
// reloads; `dialpad.open` sent then would be lost. So every link waits here until the window takes it with
// `dialpad.ready` (it does on every page load, and after each `dialpad.open` it hears): once a window has listened,
// each new link is also announced as `dialpad.open` at once. A link announced to a window that went away before it
// took it is still here for the next page load. Bounded: a flood keeps only the newest few (the last one fills the
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

  /** A link from the OS: kept until the window takes it, and announced at once when a window has listened. */
  open(uri: string): void {
    this.#waiting.push(uri);
    if (this.#waiting.length > LINK_INBOX_MAX) this.#waiting.splice(0, this.#waiting.length - LINK_INBOX_MAX);
    if (this.#listening) this.events.emit('dialpad.open', { uri });
  }

  /** The window listens (again): the links not yet taken, oldest first, each handed out once. */
  ready(): string[] {
    this.#listening = true;
    return this.#waiting.splice(0);
  }
}
