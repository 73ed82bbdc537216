// Randomness as a seam: branches, tags, Call-IDs and cnonces come from here so tests can make them reproducible.
import { randomBytes } from 'node:crypto';

export interface Random {
  /** `count` random bytes. */
  bytes(count: number): Uint8Array;
  /** A token of `length` characters from [0-9a-z], suitable for tags, branches and Call-IDs. */
  token(length: number): string;
  /** A float in [0, 1), for jitter on retry delays. */
  fraction(): number;
}

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export function tokenFromBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

export class CryptoRandom implements Random {
  bytes(count: number): Uint8Array {
    return new Uint8Array(randomBytes(count));
  }

  token(length: number): string {
    return tokenFromBytes(this.bytes(length));
  }

  fraction(): number {
    return randomBytes(4).readUInt32BE(0) / 0x1_0000_0000;
  }
}
