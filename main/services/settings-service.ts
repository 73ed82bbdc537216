// App settings: typed in code, stored as key/value, changes announced to every open interface.
import type { SettingsDto } from '../contract/contract';
import { InvalidSettingError, type SettingsRepository } from '../store/settings-repository';
import type { EventHub } from './event-hub';
import { ServiceError } from './service-error';

export class SettingsService {
  constructor(
    private readonly repository: Pick<SettingsRepository, 'getAll' | 'patch'>,
    private readonly events: EventHub,
  ) {}

  get(): SettingsDto {
    return this.repository.getAll();
  }

  update(patch: Partial<SettingsDto>): SettingsDto {
    try {
      const settings = this.repository.patch(patch);
      this.events.emit('settings.changed', settings);
      return settings;
    } catch (error) {
      if (error instanceof InvalidSettingError)
        throw new ServiceError('invalid-argument', error.message, { field: error.key });
      throw error;
    }
  }
}
