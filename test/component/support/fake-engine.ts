// The shared in-memory engine (test/support/fake-engine.ts) seen through a FakeBridge, so views can be driven end to
// end inside jsdom: commands go through the real CommandRouter (the contract's schemas), events come back through
// the bridge, and a test can still answer one command its own way with `bridge.handle`.
import { FakeEngine as SharedFakeEngine, type FakeEngineOptions } from '../../support/fake-engine';
import { FakeBridge } from './fake-bridge';

export {
  account,
  accountInput,
  defaultInfo,
  status,
  wrongPassword,
  type FakeEngineOptions,
} from '../../support/fake-engine';

export class FakeEngine extends SharedFakeEngine {
  readonly bridge: FakeBridge;

  constructor(options: FakeEngineOptions = {}) {
    super(options);
    this.bridge = new FakeBridge('web', this);
  }
}
