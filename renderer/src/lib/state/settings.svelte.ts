// The app settings, fed by `settings.changed`.
import type { CommandError, Result, SettingsDto } from '../../../../main/contract/contract';
import type { Bridge } from '../bridge';

export class SettingsState {
  value = $state<SettingsDto | null>(null);
  loadError = $state<CommandError | null>(null);

  constructor(private readonly bridge: Bridge) {}

  apply(settings: SettingsDto): void {
    this.value = settings;
  }

  async load(): Promise<void> {
    const result = await this.bridge.invoke('settings.get');
    if (result.ok) {
      this.loadError = null;
      this.apply(result.value);
    } else {
      this.loadError = result.error;
    }
  }

  async update(patch: Partial<SettingsDto>): Promise<Result<SettingsDto>> {
    const result = await this.bridge.invoke('settings.update', patch);
    if (result.ok) this.apply(result.value);
    return result;
  }
}
