// Each account's registration status, fed by `registration.changed`. A revision number per account lets a view
// tell a status that arrived after some moment (a save) from one that was already there.
import type { RegistrationStatusDto } from '../../../../main/ipc/contract';
import type { Bridge } from '../bridge';

export class RegistrationsState {
  #statuses = $state<Record<string, RegistrationStatusDto>>({});
  #revisions = $state<Record<string, number>>({});

  constructor(private readonly bridge: Bridge) {}

  get(accountId: string): RegistrationStatusDto | undefined {
    return this.#statuses[accountId];
  }

  /** How many statuses have arrived for the account as events; 0 before the first. */
  revision(accountId: string): number {
    return this.#revisions[accountId] ?? 0;
  }

  /** A live update from the engine. */
  receive(status: RegistrationStatusDto): void {
    this.#statuses[status.accountId] = status;
    this.#revisions[status.accountId] = this.revision(status.accountId) + 1;
  }

  async load(): Promise<void> {
    const before = { ...this.#revisions };
    const result = await this.bridge.invoke('registration.list');
    if (!result.ok) return;
    // A status that arrived as an event while the list was on its way is newer than the list's.
    const next: Record<string, RegistrationStatusDto> = {};
    for (const [id, status] of Object.entries(this.#statuses)) {
      if (this.revision(id) !== (before[id] ?? 0)) next[id] = status;
    }
    for (const status of result.value) next[status.accountId] ??= status;
    this.#statuses = next;
  }
}
