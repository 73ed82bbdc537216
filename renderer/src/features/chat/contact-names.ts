// A contact's name for an address, when the app knows its contacts. The contacts state is built beside the chat;
// until it is there (or in a window without it), every lookup answers null and conversations keep the peer's own
// name or address.
import type { NameLookup } from './chat-text';

interface WithContacts {
  readonly contacts?: { nameFor?(uri: string): string | null };
}

export function contactNames(app: object): NameLookup {
  const contacts = (app as WithContacts).contacts;
  return (uri) => contacts?.nameFor?.(uri) ?? null;
}
