import { describe, expect, it } from 'vitest';
import { MiB, retainedBytes } from '../../support/heap';

describe('retainedBytes', () => {
  it('sees memory that is held and stops seeing it once released', async () => {
    const baseline = await retainedBytes();
    let held: Uint8Array[] | undefined = Array.from({ length: 32 }, () => new Uint8Array(MiB).fill(1));
    const holding = await retainedBytes();
    expect(held).toHaveLength(32);
    held = undefined;
    const released = await retainedBytes();
    expect(holding - baseline).toBeGreaterThan(30 * MiB);
    expect(released - baseline).toBeLessThan(4 * MiB);
    expect(held).toBeUndefined();
  });
});
