// A contact's name for an address, when the app knows its contacts. The contacts state is built beside the chat;
// until it is there (or in a window without it), every lookup answers null and conversations keep the peer's own
// name or address. The app's contacts are looked up at each call, so a lookup made while the app is still being
// built works once they are there.

/** A contact's name for an address, when a contact has it. */
export type NameLookup = (uri: string) => string | null;

interface WithContacts {
  readonly contacts?: { nameFor?(uri: string): string | null };
}

export function contactNames(app: object): NameLookup {
  return (uri) => (app as WithContacts).contacts?.nameFor?.(uri) ?? null;
}
