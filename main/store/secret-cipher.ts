// How account passwords are protected at rest. The store only ever holds what `encrypt` returns; each host supplies
// its own cipher: the Electron app one backed by safeStorage (the OS keychain / DPAPI / libsecret), the headless and
// web host a FileKeyCipher (file-key-cipher.ts). See README.md in this folder for what each protects against.

import type { PasswordProtectionDto } from '../contract/contract';

export interface SecretCipher {
  /** How passwords are protected in this host, as a kind and a technical name; the window words it. */
  readonly protection: PasswordProtectionDto;
  /** False when this host cannot protect secrets; then nothing should be stored and `encrypt` throws. */
  readonly available: boolean;
  /** Throws SecretCipherError when the secret cannot be protected. */
  encrypt(plain: string): Buffer;
  /** Throws SecretCipherError when the data cannot be decrypted (tampered, another key, missing key…). */
  decrypt(data: Buffer): string;
}

export type SecretCipherFailure =
  /** No protection in this host (e.g. safeStorage without a keyring). */
  | 'unavailable'
  /** The key needed to decrypt is gone; stored passwords must be entered again. */
  | 'key-missing'
  /** The key cannot be read or created, or is not a valid key. */
  | 'key-unusable'
  /** The data is not something this cipher wrote (too short, unknown format version). */
  | 'malformed'
  /** The data was changed, or was encrypted with another key. */
  | 'authentication-failed';

export class SecretCipherError extends Error {
  constructor(
    readonly reason: SecretCipherFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SecretCipherError';
  }
}
