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
    ['darwin', 'gnome_libsecret', 'macos-keychain'],
    ['win32', 'gnome_libsecret', 'windows-dpapi'],
    ['linux', 'gnome_libsecret', 'gnome_libsecret'],
    ['linux', 'kwallet6', 'kwallet6'],
    ['linux', 'unknown', 'unknown'],
    ['freebsd', 'gnome_libsecret', null],
  ] as const)('on %s (%s) names the store that keeps the key', (platform, backend, detail) => {
    const cipher = new SafeStorageCipher(fakeSafeStorage(true, backend), platform);
    expect(cipher.protection).toEqual({ kind: 'os-keychain', detail });
  });

  it('reports Linux without a keyring as weak protection, not as a keychain', () => {
    const cipher = new SafeStorageCipher(fakeSafeStorage(true, 'basic_text'), 'linux');
    expect(cipher.linuxBackend).toBe('basic_text');
    expect(cipher.protection).toEqual({ kind: 'os-keychain-weak', detail: 'basic_text' });
  });

  it('reports the backend on Linux only', () => {
    expect(new SafeStorageCipher(fakeSafeStorage(true), 'darwin').linuxBackend).toBeNull();
  });

  it('refuses to encrypt or decrypt when unavailable, and says so', () => {
    const cipher = new SafeStorageCipher(fakeSafeStorage(false), 'linux');
    expect(cipher.available).toBe(false);
    expect(cipher.protection).toEqual({ kind: 'os-keychain-unavailable', detail: null });
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
