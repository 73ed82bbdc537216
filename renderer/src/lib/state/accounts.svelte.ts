// The account list as the engine last described it. Commands go through here so the list reflects a change as soon
// as its command succeeds, without waiting for the `accounts.changed` event that follows.
import type { AccountDto, AccountInput, CommandError, Result } from '../../../../main/contract/contract';
import type { Bridge } from '../bridge';

export class AccountsState {
  list = $state<AccountDto[]>([]);
  loaded = $state(false);
  loadError = $state<CommandError | null>(null);

  constructor(private readonly bridge: Bridge) {}

  byId(id: string): AccountDto | undefined {
    return this.list.find((account) => account.id === id);
  }

  apply(accounts: readonly AccountDto[]): void {
    this.list = [...accounts].sort((a, b) => a.order - b.order);
    this.loaded = true;
  }

  async load(): Promise<void> {
    const result = await this.bridge.invoke('accounts.list');
    if (result.ok) {
      this.loadError = null;
      this.apply(result.value);
    } else {
      this.loadError = result.error;
    }
  }

  async create(input: AccountInput): Promise<Result<AccountDto>> {
    return this.#upsert(await this.bridge.invoke('accounts.create', input));
  }

  async update(id: string, input: AccountInput): Promise<Result<AccountDto>> {
    return this.#upsert(await this.bridge.invoke('accounts.update', id, input));
  }

  async setDoNotDisturb(id: string, on: boolean): Promise<Result<AccountDto>> {
    return this.#upsert(await this.bridge.invoke('accounts.setDoNotDisturb', id, on));
  }

  async setEnabled(id: string, enabled: boolean): Promise<Result<AccountDto>> {
    return this.#upsert(await this.bridge.invoke('accounts.setEnabled', id, enabled));
  }

  async remove(id: string): Promise<Result<null>> {
    const result = await this.bridge.invoke('accounts.delete', id);
    if (result.ok) this.list = this.list.filter((account) => account.id !== id);
    return result;
  }

  registerNow(id: string): Promise<Result<null>> {
    return this.bridge.invoke('accounts.registerNow', id);
  }

  #upsert(result: Result<AccountDto>): Result<AccountDto> {
    if (result.ok) {
      const saved = result.value;
      const others = this.list.filter((account) => account.id !== saved.id);
      this.apply([...others, saved]);
    }
    return result;
  }
}
