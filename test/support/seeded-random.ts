// A reproducible Random: the same seed gives the same tags, branches and loss pattern on every run.
// The generator is mulberry32 (a 32-bit state advanced by a Weyl constant, then mixed); plenty for tests, not crypto.
import { tokenFromBytes, type Random } from '../../main/platform/random';

const WEYL_INCREMENT = 0x6d2b79f5;

export class SeededRandom implements Random {
  #state: number;

  constructor(seed = 1) {
    this.#state = seed >>> 0;
  }

  /** The next 32-bit unsigned value. */
  uint32(): number {
    this.#state = (this.#state + WEYL_INCREMENT) >>> 0;
    let mixed = this.#state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return (mixed ^ (mixed >>> 14)) >>> 0;
  }

  bytes(count: number): Uint8Array {
    const out = new Uint8Array(count);
    for (let index = 0; index < count; index += 4) {
      let word = this.uint32();
      for (let lane = 0; lane < 4 && index + lane < count; lane++) {
        out[index + lane] = word & 0xff;
        word >>>= 8;
      }
    }
    return out;
  }

  token(length: number): string {
    return tokenFromBytes(this.bytes(length));
  }

  fraction(): number {
    return this.uint32() / 0x1_0000_0000;
  }

  /** An integer in [min, max], both inclusive. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.fraction() * (max - min + 1));
  }
}
