// The safeStorage-backed SecretCipher with a fake safeStorage: what it says about the protection (weak on Linux
// without a keyring), and that failures surface as SecretCipherError.
import { describe, expect, it } from 'vitest';
import type { SafeStorageLike } from '../../../main/app/safe-storage-cipher';
import { SafeStorageCipher } from '../../../main/app/safe-storage-cipher';
import { SecretCipherError } from '../../../main/store/secret-cipher';

type Backend = ReturnType<SafeStorageLike['getSelectedStorageBackend']>;

function fakeSafeStorage(available: boolean, backend: Backend = 'gnome_libsecret'): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (plain) => Buffer.from(`enc:${plain}`, 'utf8'),
    decryptString: (data) => {
      const text = data.toString('utf8');
      if (!text.startsWith('enc:'))
        throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return text.slice(4);
    },
  };
}

describe('SafeStorageCipher', () => {
  it('round-trips through safeStorage', () => {
    const cipher = new SafeStorageCipher(fakeSafeStorage(true), 'darwin');
    expect(cipher.available).toBe(true);
    const sealed = cipher.encrypt('pässwörd');
    expect(sealed.toString('utf8')).not.toBe('pässwörd');
    expect(cipher.decrypt(sealed)).toBe('pässwörd');
  });

  it.each([
    ['darwin', 'gnome_libsecret', /macOS Keychain/],
    ['win32', 'gnome_libsecret', /DPAPI/],
    ['linux', 'gnome_libsecret', /keyring \(Secret Service/],
    ['linux', 'kwallet6', /KWallet/],
  ] as const)('on %s (%s) describes the protection', (platform, backend, pattern) => {
    const cipher = new SafeStorageCipher(fakeSafeStorage(true, backend), platform);
    expect(cipher.description).toMatch(pattern);
    expect(cipher.description).not.toMatch(/weak/i);
  });

  it('says plainly that Linux without a keyring is weak protection', () => {
    const cipher = new SafeStorageCipher(fakeSafeStorage(true, 'basic_text'), 'linux');
    expect(cipher.linuxBackend).toBe('basic_text');
    expect(cipher.description).toMatch(/^Weak protection/);
  });

  it('reports the backend on Linux only', () => {
    expect(new SafeStorageCipher(fakeSafeStorage(true), 'darwin').linuxBackend).toBeNull();
  });

  it('refuses to encrypt or decrypt when unavailable, and says so', () => {
    const cipher = new SafeStorageCipher(fakeSafeStorage(false), 'linux');
    expect(cipher.available).toBe(false);
    expect(cipher.description).toMatch(/cannot be saved/);
    expect(() => cipher.encrypt('x')).toThrow(SecretCipherError);
    try {
      cipher.decrypt(Buffer.from('enc:x'));
      expect.unreachable();
    } catch (error) {
      expect((error as SecretCipherError).reason).toBe('unavailable');
    }
  });

  it('turns a decryption failure into a SecretCipherError asking for the password again', () => {
    const cipher = new SafeStorageCipher(fakeSafeStorage(true), 'win32');
    try {
      cipher.decrypt(Buffer.from('garbage'));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SecretCipherError);
      expect((error as SecretCipherError).reason).toBe('authentication-failed');
      expect((error as Error).message).toMatch(/enter it again/);
    }
  });
});
