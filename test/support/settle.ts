// Lets promise chains and zero-delay deliveries run until nothing more happens at the current manual time.
import type { ManualClock } from './manual-clock';

export async function settle(clock: ManualClock, maxRounds = 100): Promise<void> {
  let quiet = 0;
  for (let round = 0; round < maxRounds && quiet < 2; round++) {
    // setImmediate runs after every queued microtask, so awaited promises resolve before the next delivery.
    await new Promise<void>((resolve) => setImmediate(resolve));
    quiet = clock.advance(0) === 0 ? quiet + 1 : 0;
  }
}
