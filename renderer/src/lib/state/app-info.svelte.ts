// What the engine says about itself; decides between the app and an error screen.
import type { AppInfoDto, CommandError } from '../../../../main/contract/contract';
import type { Bridge } from '../bridge';

export class AppInfoState {
  value = $state<AppInfoDto | null>(null);
  /** Set when app.info itself failed: the engine cannot be reached or refused this page. */
  error = $state<CommandError | null>(null);

  constructor(private readonly bridge: Bridge) {}

  get status(): 'loading' | 'ready' | 'unreachable' {
    if (this.value) return 'ready';
    return this.error ? 'unreachable' : 'loading';
  }

  async load(): Promise<void> {
    const result = await this.bridge.invoke('app.info');
    if (result.ok) {
      this.value = result.value;
      this.error = null;
    } else {
      this.error = result.error;
    }
  }
}
