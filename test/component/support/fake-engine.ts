// The shared in-memory engine (test/support/fake-engine.ts) seen through a FakeBridge, so views can be driven end to
// end inside jsdom: commands go through the real CommandRouter (the contract's schemas), events come back through
// the bridge, and a test can still answer one command its own way with `bridge.handle`.
import { FakeEngine as SharedFakeEngine, type FakeEngineOptions } from '../../support/fake-engine';
import { FakeBridge } from './fake-bridge';

import type { CallHistoryEntryDto } from '../../../main/contract/contract';

export {
  account,
  accountInput,
  call,
  DEFAULT_SETTINGS,
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

/** A finished call as the history lists it; an answered outgoing call of one minute by default. */
export function historyEntry(
  overrides: Partial<CallHistoryEntryDto> & Pick<CallHistoryEntryDto, 'id'>,
): CallHistoryEntryDto {
  return {
    accountId: null,
    direction: 'outgoing',
    peerUri: `sip:${overrides.id}@example.test`,
    peerName: null,
    startedAt: 1_700_000_000_000,
    answeredAt: 1_700_000_002_000,
    endedAt: 1_700_000_062_000,
    durationMs: 60_000,
    end: { by: 'local', reason: 'hangup', status: null, detail: null },
    codec: 'opus',
    quality: { mos: 4.3, lossPercent: 0, jitterMs: 2 },
    ...overrides,
  };
}
