// The words for app.info come from the window: every password-protection kind and storage-error kind has a sentence,
// and a name or kind the window does not know still gets one, showing what the engine sent.
import { describe, expect, it } from 'vitest';
import type {
  PasswordProtectionDto,
  PasswordProtectionKind,
  StorageErrorDto,
  StorageErrorKind,
} from '../../../main/contract/contract';
import { folderOf, passwordProtectionText, storageErrorText } from '../../../renderer/src/lib/app-info-text';

const PROTECTION_KINDS: readonly PasswordProtectionKind[] = [
  'os-keychain',
  'os-keychain-weak',
  'os-keychain-unavailable',
  'key-file',
];

const STORAGE_KINDS: readonly StorageErrorKind[] = [
  'corrupt',
  'read-only',
  'disk-full',
  'busy',
  'in-use',
  'too-new',
  'upgrade-failed',
  'unknown',
];

function storage(overrides: Partial<StorageErrorDto> = {}): StorageErrorDto {
  return {
    kind: 'corrupt',
    path: '/home/alice/.config/Softphone/softphone.sqlite',
    detail: 'SQLITE_NOTADB: file is not a database',
    holderPid: null,
    ...overrides,
  };
}

describe('passwordProtectionText', () => {
  it.each(PROTECTION_KINDS)('has words for %s, with or without a detail', (kind) => {
    for (const detail of [null, 'something-new']) {
      const { text } = passwordProtectionText({ kind, detail });
      expect(text).toMatch(/^[A-Z].*\.$/);
      expect(text).not.toContain('null');
    }
  });

  it.each([
    ['macos-keychain', /macOS Keychain/],
    ['windows-dpapi', /Windows DPAPI, tied to your Windows account/],
    ['gnome_libsecret', /desktop keyring \(Secret Service, e\.g\. GNOME Keyring\)/],
    ['kwallet', /KWallet/],
    ['kwallet5', /KWallet/],
    ['kwallet6', /KWallet/],
    ['unknown', /desktop keyring; which one is not known yet/],
  ])('words the OS store %s', (detail, pattern) => {
    const text = passwordProtectionText({ kind: 'os-keychain', detail });
    expect(text.text).toMatch(pattern);
    expect(text.warning).toBe(false);
  });

  it('names an OS store it does not know as the engine sent it, and one not named at all plainly', () => {
    expect(passwordProtectionText({ kind: 'os-keychain', detail: 'kwallet7' }).text).toBe(
      'Passwords are encrypted with a key kept by the operating system’s secret storage (kwallet7).',
    );
    expect(passwordProtectionText({ kind: 'os-keychain', detail: null }).text).toBe(
      'Passwords are encrypted with the operating system’s secret storage.',
    );
    // Only the table's own names count: nothing inherited from Object.prototype.
    expect(passwordProtectionText({ kind: 'os-keychain', detail: 'constructor' }).text).toContain(
      '(constructor)',
    );
    expect(passwordProtectionText({ kind: 'os-keychain', detail: '  ' }).text).toBe(
      'Passwords are encrypted with the operating system’s secret storage.',
    );
  });

  it('says plainly, as a warning, that Linux without a keyring is weak protection', () => {
    const text = passwordProtectionText({ kind: 'os-keychain-weak', detail: 'basic_text' });
    expect(text.text).toMatch(/^Weak protection: no desktop keyring/);
    expect(text.text).toContain('Anyone who can read your files can recover them.');
    expect(text.warning).toBe(true);
  });

  it('says, as a warning, that passwords cannot be saved without any protection', () => {
    expect(passwordProtectionText({ kind: 'os-keychain-unavailable', detail: null })).toEqual({
      text: 'Passwords cannot be saved: this system offers no way to encrypt them (no keychain or keyring).',
      warning: true,
    });
  });

  it('names the key file and what it does and does not protect against', () => {
    const text = passwordProtectionText({ kind: 'key-file', detail: 'secret.key' });
    expect(text.text).toBe(
      'Passwords are encrypted (AES-256-GCM) with a key kept in its own file, secret.key, next to the database: ' +
        'a copy of the database alone does not reveal them, but programs running as you can read both files.',
    );
    expect(text.warning).toBe(false);
    expect(passwordProtectionText({ kind: 'key-file', detail: null }).text).toContain(
      'its own file, a key file,',
    );
  });

  it('still says something for a kind from a newer engine', () => {
    const newer = { kind: 'hardware-token', detail: 'yubikey' } as unknown as PasswordProtectionDto;
    expect(passwordProtectionText(newer)).toEqual({
      text: 'Passwords are protected in a way this version of the window cannot describe (hardware-token, yubikey).',
      warning: true,
    });
  });
});

describe('storageErrorText', () => {
  it.each(STORAGE_KINDS)('has a sentence for %s naming the file or its folder', (kind) => {
    const text = storageErrorText(storage({ kind }));
    expect(text.text).toContain(kind === 'in-use' ? '/home/alice/.config/Softphone' : 'softphone.sqlite');
    expect(text.title).not.toBe('');
    expect(text.detail).toBe('SQLITE_NOTADB: file is not a database');
  });

  it.each([
    ['corrupt', 'is damaged and cannot be read. Move it aside (or restore a backup)'],
    ['read-only', 'Give your user write access to them and start the app again.'],
    ['disk-full', 'is full. Free some space and try again.'],
    ['busy', 'probably another copy of the softphone. Close it and try again.'],
    ['too-new', 'was written by a newer version of the softphone. Update the app to use it'],
    ['upgrade-failed', 'could not be updated for this version of the app; it was left unchanged.'],
    ['unknown', 'could not be used.'],
  ] as const)('tells what to do for %s', (kind, words) => {
    expect(storageErrorText(storage({ kind })).text).toContain(words);
  });

  it('names the folder, and the holder when the engine knows it, for a folder in use', () => {
    const held = storageErrorText(storage({ kind: 'in-use', holderPid: 4242, detail: 'SQLITE_BUSY' }));
    expect(held.title).toBe('Another softphone is using this data folder');
    expect(held.text).toBe(
      'The data folder /home/alice/.config/Softphone is in use by another softphone engine, process 4242 (the ' +
        'app or npm run web). Only one may use a data folder at a time: close the other one, or give this one ' +
        'another data folder.',
    );
    const unnamed = storageErrorText(storage({ kind: 'in-use', holderPid: null }));
    expect(unnamed.text).toMatch(
      /^The data folder \/home\/alice\/\.config\/Softphone is in use by another softphone engine \(/,
    );
  });

  it('keeps the generic heading for every other kind', () => {
    expect(storageErrorText(storage({ kind: 'disk-full' })).title).toBe(
      'The softphone could not open its data file',
    );
  });

  it('words a kind from a newer engine as unknown, and never leaves the detail empty', () => {
    const newer = storage({ kind: 'quota-exceeded' as StorageErrorKind, detail: '' });
    const text = storageErrorText(newer);
    expect(text.text).toBe(
      'The settings database /home/alice/.config/Softphone/softphone.sqlite could not be used.',
    );
    expect(text.detail).toBe('quota-exceeded (no further detail)');
  });
});

describe('folderOf', () => {
  it.each([
    ['/home/alice/softphone.sqlite', '/home/alice'],
    [
      'C:\\Users\\alice\\AppData\\Roaming\\Softphone\\softphone.sqlite',
      'C:\\Users\\alice\\AppData\\Roaming\\Softphone',
    ],
    ['/softphone.sqlite', '/'],
    ['softphone.sqlite', '.'],
  ])('%s is in %s', (path, folder) => {
    expect(folderOf(path)).toBe(folder);
  });
});
