// RFC 3261 §17.1.1.1, §17.1.2.1, §17.2.1, §17.2.2 and Table 4 of Appendix A: the transaction timers, plus Timers L
// and M added by RFC 6026 §7 for the INVITE "Accepted" states. The machines compute every duration from here.

/**
 * A..M as named by RFC 3261 Table 4 and RFC 6026. `Trying` is the unnamed 200 ms wait of §17.2.1 after which an
 * INVITE server transaction answers 100 (Trying) on the TU's behalf.
 */
export type TimerName = 'A' | 'B' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I' | 'J' | 'K' | 'L' | 'M' | 'Trying';

export interface TimerSettings {
  /** RTT estimate (§17.1.1.1); default 500 ms. */
  readonly t1: number;
  /** Longest retransmit interval for non-INVITE requests and INVITE responses; default 4 s. */
  readonly t2: number;
  /** Longest time a message stays in the network; default 5 s. */
  readonly t4: number;
  /** Timer D on unreliable transports: "at least 32 seconds" (§17.1.1.2). Always 0 on reliable ones. */
  readonly timerD: number;
  /** Delay before the automatic 100 (Trying) of an INVITE server transaction; `false` turns it off. */
  readonly tryingDelay: number | false;
}

export const DEFAULT_TIMER_SETTINGS: TimerSettings = {
  t1: 500,
  t2: 4000,
  t4: 5000,
  timerD: 32_000,
  tryingDelay: 200,
};

export function timerSettings(overrides: Partial<TimerSettings> = {}): TimerSettings {
  return { ...DEFAULT_TIMER_SETTINGS, ...overrides };
}

/** 64*T1: Timers B, F, H, J (unreliable), L and M. */
export function transactionTimeout(settings: TimerSettings): number {
  return 64 * settings.t1;
}

/** What every transaction machine is created with. */
export interface TransactionOptions {
  /** TCP (or any reliable transport): no retransmission timers, and D, I, J, K are zero. */
  readonly reliable: boolean;
  readonly timers?: TimerSettings;
}
