// Account passwords at rest in the Electron app: Electron safeStorage, which keeps its key in the macOS Keychain,
// Windows DPAPI, or on Linux the Secret Service / KWallet — or, when Linux has neither, a key built into Chromium,
// which we report as weak protection rather than pretend. Must be used after the app's `ready` event.
import type { SafeStorage } from 'electron';
import type { PasswordProtectionDto } from '../contract/contract';
import type { SecretCipher } from '../store/secret-cipher';
import { SecretCipherError } from '../store/secret-cipher';

export type SafeStorageLike = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
>;

type LinuxBackend = ReturnType<SafeStorage['getSelectedStorageBackend']>;

export class SafeStorageCipher implements SecretCipher {
  constructor(
    private readonly storage: SafeStorageLike,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  get available(): boolean {
    return this.storage.isEncryptionAvailable();
  }

  /** Which backend Linux chose; null elsewhere. */
  get linuxBackend(): LinuxBackend | null {
    return this.platform === 'linux' ? this.storage.getSelectedStorageBackend() : null;
  }

  /** Which store keeps the key; the window words it, and says plainly when Linux fell back to a built-in key. */
  get protection(): PasswordProtectionDto {
    if (!this.available) return { kind: 'os-keychain-unavailable', detail: null };
    switch (this.platform) {
      case 'darwin':
        return { kind: 'os-keychain', detail: 'macos-keychain' };
      case 'win32':
        return { kind: 'os-keychain', detail: 'windows-dpapi' };
      case 'linux': {
        const backend = this.linuxBackend ?? 'unknown';
        return { kind: backend === 'basic_text' ? 'os-keychain-weak' : 'os-keychain', detail: backend };
      }
      default:
        return { kind: 'os-keychain', detail: null };
    }
  }

  encrypt(plain: string): Buffer {
    if (!this.available) {
      throw new SecretCipherError('unavailable', 'Passwords cannot be encrypted on this system.');
    }
    try {
      return this.storage.encryptString(plain);
    } catch (error) {
      throw new SecretCipherError('key-unusable', `Encrypting the password failed: ${messageOf(error)}`);
    }
  }

  decrypt(data: Buffer): string {
    if (!this.available) {
      throw new SecretCipherError('unavailable', 'Passwords cannot be decrypted on this system.');
    }
    try {
      return this.storage.decryptString(data);
    } catch (error) {
      // Typically data from another user account or machine, or a keyring that was reset.
      throw new SecretCipherError(
        'authentication-failed',
        `The stored password could not be decrypted; enter it again. (${messageOf(error)})`,
      );
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
