// Account passwords at rest in the Electron app: Electron safeStorage, which keeps its key in the macOS Keychain,
// Windows DPAPI, or on Linux the Secret Service / KWallet — or, when Linux has neither, a key built into Chromium,
// which we report as weak protection rather than pretend. Must be used after the app's `ready` event.
import type { SafeStorage } from 'electron';
import type { SecretCipher } from '../store/secret-cipher';
import { SecretCipherError } from '../store/secret-cipher';

export type SafeStorageLike = Pick<
  SafeStorage,
  'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend'
>;

type LinuxBackend = ReturnType<SafeStorage['getSelectedStorageBackend']>;

const linuxDescriptions: Record<LinuxBackend, string> = {
  gnome_libsecret:
    'Passwords are encrypted with a key kept in your desktop keyring (Secret Service, e.g. GNOME Keyring).',
  kwallet: 'Passwords are encrypted with a key kept in KWallet.',
  kwallet5: 'Passwords are encrypted with a key kept in KWallet.',
  kwallet6: 'Passwords are encrypted with a key kept in KWallet.',
  basic_text:
    'Weak protection: no desktop keyring (Secret Service or KWallet) was found, so passwords are encrypted with a ' +
    'key built into the app. Anyone who can read your files can recover them.',
  unknown: 'Passwords are encrypted with a key from your desktop keyring; which one is not known yet.',
};

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

  get description(): string {
    if (!this.available) {
      return 'Passwords cannot be saved: this system offers no way to encrypt them (no keychain or keyring).';
    }
    switch (this.platform) {
      case 'darwin':
        return 'Passwords are encrypted with a key kept in the macOS Keychain.';
      case 'win32':
        return 'Passwords are encrypted with Windows DPAPI, tied to your Windows account.';
      case 'linux':
        return linuxDescriptions[this.linuxBackend ?? 'unknown'];
      default:
        return 'Passwords are encrypted with the operating system’s secret storage.';
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
