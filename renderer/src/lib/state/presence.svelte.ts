// Presence as the engine last described it: each watched contact's status (`presence.buddies`, then `buddy.changed`
// and `buddy.removed`), our own status per account (`presence.own`, `presence.changed`, and what
// `presence.setStatus` answers), and who watches us (`presence.watchers`, `watchers.changed`). Events that arrive
// while a list is loading are newer than the list and win over it.
import type {
  Availability,
  BuddyPresenceDto,
  CommandError,
  OwnPresenceDto,
  Result,
  SetOwnStatusRequest,
  WatcherDto,
} from '../../../../main/contract/contract';
import type { Bridge } from '../bridge';

/** Buddies are sorted by this order of availability (then by name in the view). */
export const AVAILABILITY_ORDER: readonly Availability[] = [
  'available',
  'on-the-phone',
  'busy',
  'do-not-disturb',
  'away',
  'offline',
  'unknown',
];

export class PresenceState {
  /** Watched contacts' presence by contact id. */
  buddies = $state.raw<Record<string, BuddyPresenceDto>>({});
  /** Our own presence by account id. */
  own = $state.raw<Record<string, OwnPresenceDto>>({});
  watchers = $state.raw<WatcherDto[]>([]);
  loaded = $state(false);
  loadError = $state<CommandError | null>(null);
  /** The last `presence.setStatus` refusal, for the status selector. */
  setError = $state<CommandError | null>(null);

  #buddyRevision = 0;
  #ownRevision = 0;
  #watcherRevision = 0;

  constructor(private readonly bridge: Bridge) {}

  /** Watchers not yet shown to the person. */
  get newWatchers(): number {
    return this.watchers.filter((watcher) => watcher.isNew).length;
  }

  buddy(contactId: string): BuddyPresenceDto | undefined {
    return this.buddies[contactId];
  }

  ownFor(accountId: string): OwnPresenceDto | undefined {
    return this.own[accountId];
  }

  async load(): Promise<void> {
    const revisions = [this.#buddyRevision, this.#ownRevision, this.#watcherRevision];
    const [buddies, own, watchers] = await Promise.all([
      this.bridge.invoke('presence.buddies'),
      this.bridge.invoke('presence.own'),
      this.bridge.invoke('presence.watchers'),
    ]);
    const failed = [buddies, own, watchers].find((result) => !result.ok);
    this.loadError = failed && !failed.ok ? failed.error : null;
    if (buddies.ok && this.#buddyRevision === revisions[0]) {
      this.buddies = Object.fromEntries(buddies.value.map((item) => [item.contactId, item]));
    }
    if (own.ok && this.#ownRevision === revisions[1]) {
      this.own = Object.fromEntries(own.value.map((item) => [item.accountId, item]));
    }
    if (watchers.ok && this.#watcherRevision === revisions[2]) this.watchers = watchers.value;
    this.loaded = true;
  }

  buddyChanged(buddy: BuddyPresenceDto): void {
    this.#buddyRevision += 1;
    this.buddies = { ...this.buddies, [buddy.contactId]: buddy };
  }

  buddyRemoved(contactId: string): void {
    this.#buddyRevision += 1;
    if (!(contactId in this.buddies)) return;
    const { [contactId]: _removed, ...rest } = this.buddies;
    this.buddies = rest;
  }

  ownChanged(own: OwnPresenceDto): void {
    this.#ownRevision += 1;
    this.own = { ...this.own, [own.accountId]: own };
  }

  watchersChanged(watchers: WatcherDto[]): void {
    this.#watcherRevision += 1;
    this.watchers = watchers;
  }

  /** Sets our status (one account or all); the answer replaces every account's own presence. */
  async setStatus(request: SetOwnStatusRequest): Promise<Result<OwnPresenceDto[]>> {
    const result = await this.bridge.invoke('presence.setStatus', request);
    if (result.ok) {
      this.setError = null;
      this.#ownRevision += 1;
      this.own = Object.fromEntries(result.value.map((item) => [item.accountId, item]));
    } else {
      this.setError = result.error;
    }
    return result;
  }

  /** The watchers have been shown: none is new any more (here at once, in the engine through the command). */
  async markWatchersSeen(): Promise<void> {
    if (this.newWatchers === 0) return;
    this.watchers = this.watchers.map((watcher) => ({ ...watcher, isNew: false }));
    await this.bridge.invoke('presence.watchersSeen');
  }
}
