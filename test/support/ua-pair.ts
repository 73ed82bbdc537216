// Two user agents with the call usage installed, calling each other on the LoopbackNetwork under a ManualClock:
// alice at 10.0.0.1:5060 and bob at 10.0.0.2:5060, each with a RecordingMedia. Calls go straight to the other's
// address (no registrar, no proxy), so every test of the call usage can start from one line.
import type { Call } from '../../main/ua/call/call';
import type { CallUsage, CallUsageOptions } from '../../main/ua/call/call-usage';
import type { SipUri } from '../../main/sip/message/uri';
import type { TimerSettings } from '../../main/sip/transaction/timers';
import { UserAgent } from '../../main/ua/user-agent';
import { LoopbackNetwork } from './loopback-network';
import { ManualClock } from './manual-clock';
import { RecordingMedia } from './recording-media';
import { SeededRandom } from './seeded-random';
import { settle } from './settle';

export interface UaSide {
  readonly ua: UserAgent;
  readonly calls: CallUsage;
  readonly media: RecordingMedia;
  /** `sip:<name>@<address>:5060`: where the other side dials. */
  readonly uri: SipUri;
  /** Every call that rang here, in order. */
  readonly incoming: Call[];
}

export interface UaPairOptions {
  readonly timers?: Partial<TimerSettings>;
  readonly alice?: Omit<CallUsageOptions, 'media'>;
  readonly bob?: Omit<CallUsageOptions, 'media'>;
  readonly seed?: number;
}

export interface UaPair {
  readonly clock: ManualClock;
  readonly network: LoopbackNetwork;
  readonly alice: UaSide;
  readonly bob: UaSide;
  /** Lets every due delivery and promise run, without moving time. */
  settle(): Promise<void>;
  /** Moves time forward by `ms`, stopping at every timer on the way so the promise chains between them run. */
  pass(ms: number): Promise<void>;
  close(): Promise<void>;
}

export const ALICE_ADDRESS = '10.0.0.1';
export const BOB_ADDRESS = '10.0.0.2';

export async function startUaPair(options: UaPairOptions = {}): Promise<UaPair> {
  const clock = new ManualClock();
  const random = new SeededRandom(options.seed ?? 7);
  const network = new LoopbackNetwork({ clock, random: new SeededRandom(99) });
  const side = async (name: string, address: string, extra: Omit<CallUsageOptions, 'media'> = {}) => {
    const ua = await UserAgent.start({
      sockets: network,
      clock,
      random,
      bindAddress: address,
      port: 5060,
      protocols: ['udp'],
      ...(options.timers ? { timers: options.timers } : {}),
    });
    const media = new RecordingMedia({ address, random });
    const calls = ua.installCalls({ ...extra, media: media.factory });
    const incoming: Call[] = [];
    calls.onIncoming((call) => incoming.push(call));
    const uri: SipUri = {
      scheme: 'sip',
      user: name,
      host: address,
      port: 5060,
      params: new Map(),
      headers: new Map(),
    };
    return { ua, calls, media, uri, incoming };
  };
  const alice = await side('alice', ALICE_ADDRESS, options.alice);
  const bob = await side('bob', BOB_ADDRESS, options.bob);
  const pass = async (ms: number): Promise<void> => {
    const target = clock.now() + ms;
    await settle(clock);
    for (;;) {
      const next = clock.nextTimerAt();
      if (next === undefined || next > target) break;
      clock.advance(next - clock.now());
      await settle(clock);
    }
    clock.advance(target - clock.now());
    await settle(clock);
  };
  return {
    clock,
    network,
    alice,
    bob,
    settle: () => settle(clock),
    pass,
    close: async () => {
      alice.ua.transactions.shutdown();
      bob.ua.transactions.shutdown();
      alice.ua.transport.close();
      bob.ua.transport.close();
      await Promise.resolve();
    },
  };
}
