// Words for what `app.info` reports: how passwords are kept at rest, and why the data file could not be opened. The
// engine sends kinds, file paths and technical names (a keyring backend, SQLite's error text); every sentence a
// person reads about them is chosen here. A name or kind this window does not know still gets a plain sentence, with
// the engine's own name shown as it is, so a newer engine never leaves the About section or the error screen blank.
import type {
  PasswordProtectionDto,
  StorageErrorDto,
  StorageErrorKind,
} from '../../../main/contract/contract';

export interface PasswordProtectionText {
  /** What a person reads in About. */
  readonly text: string;
  /** True when the passwords are not really protected (or not saved at all): the window shows it as a warning. */
  readonly warning: boolean;
}

/** The stores Electron's safeStorage may use, by the names the engine sends in `detail`. */
const KEYCHAINS: Readonly<Record<string, string>> = {
  'macos-keychain': 'Passwords are encrypted with a key kept in the macOS Keychain.',
  'windows-dpapi': 'Passwords are encrypted with Windows DPAPI, tied to your Windows account.',
  gnome_libsecret:
    'Passwords are encrypted with a key kept in your desktop keyring (Secret Service, e.g. GNOME Keyring).',
  kwallet: 'Passwords are encrypted with a key kept in KWallet.',
  kwallet5: 'Passwords are encrypted with a key kept in KWallet.',
  kwallet6: 'Passwords are encrypted with a key kept in KWallet.',
  unknown: 'Passwords are encrypted with a key from your desktop keyring; which one is not known yet.',
};

// Own properties only: a detail such as "constructor" must not find something on Object.prototype.
function lookup(table: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}

export function passwordProtectionText(protection: PasswordProtectionDto): PasswordProtectionText {
  const detail = protection.detail?.trim() || null;
  switch (protection.kind) {
    case 'os-keychain': {
      if (detail === null) {
        return {
          text: 'Passwords are encrypted with the operating system’s secret storage.',
          warning: false,
        };
      }
      const known = lookup(KEYCHAINS, detail);
      return {
        text:
          known ??
          `Passwords are encrypted with a key kept by the operating system’s secret storage (${detail}).`,
        warning: false,
      };
    }
    case 'os-keychain-weak':
      return {
        text:
          'Weak protection: no desktop keyring (Secret Service or KWallet) was found, so passwords are encrypted ' +
          'with a key built into the app. Anyone who can read your files can recover them.',
        warning: true,
      };
    case 'os-keychain-unavailable':
      return {
        text: 'Passwords cannot be saved: this system offers no way to encrypt them (no keychain or keyring).',
        warning: true,
      };
    case 'key-file': {
      const file = detail ?? 'a key file';
      return {
        text:
          `Passwords are encrypted (AES-256-GCM) with a key kept in its own file, ${file}, next to the database: ` +
          'a copy of the database alone does not reveal them, but programs running as you can read both files.',
        warning: false,
      };
    }
    default:
      return unknownProtection(protection);
  }
}

// Only reached when the engine is newer than this window: say what it sent rather than nothing.
function unknownProtection(protection: PasswordProtectionDto): PasswordProtectionText {
  const named = [String(protection.kind), protection.detail].filter(Boolean).join(', ');
  return {
    text: `Passwords are protected in a way this version of the window cannot describe (${named}).`,
    warning: true,
  };
}

export interface StorageErrorText {
  /** The error screen's heading. */
  readonly title: string;
  /** What is wrong and what to do about it, naming the file or folder. */
  readonly text: string;
  /** The technical cause, for the detail box. */
  readonly detail: string;
}

/** The folder a file is in, for paths from any system (the engine may run on Windows). */
export function folderOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  if (cut < 0) return '.';
  // "/softphone.sqlite" is in "/", not in "".
  return cut === 0 ? path.slice(0, 1) : path.slice(0, cut);
}

const SENTENCES: Readonly<Record<StorageErrorKind, (error: StorageErrorDto) => string>> = {
  corrupt: ({ path }) =>
    `The settings database ${path} is damaged and cannot be read. Move it aside (or restore a backup) and start the app again to begin with an empty one.`,
  'read-only': ({ path }) =>
    `The settings database ${path} cannot be written: the file or its folder is read-only. Give your user write access to them and start the app again.`,
  'disk-full': ({ path }) => `The disk holding ${path} is full. Free some space and try again.`,
  busy: ({ path }) =>
    `The settings database ${path} is in use by another program, probably another copy of the softphone. Close it and try again.`,
  'in-use': ({ path, holderPid }) => {
    const holder = holderPid === null ? '' : `, process ${holderPid}`;
    return `The data folder ${folderOf(path)} is in use by another softphone engine${holder} (the app or npm run web). Only one may use a data folder at a time: close the other one, or give this one another data folder.`;
  },
  'too-new': ({ path }) =>
    `The settings database ${path} was written by a newer version of the softphone. Update the app to use it; it was left unchanged.`,
  'upgrade-failed': ({ path }) =>
    `The settings database ${path} could not be updated for this version of the app; it was left unchanged. The detail below says which step failed.`,
  unknown: ({ path }) => `The settings database ${path} could not be used.`,
};

export function storageErrorText(error: StorageErrorDto): StorageErrorText {
  const sentence = Object.hasOwn(SENTENCES, error.kind) ? SENTENCES[error.kind] : SENTENCES.unknown;
  const title =
    error.kind === 'in-use'
      ? 'Another softphone is using this data folder'
      : 'The softphone could not open its data file';
  const detail = error.detail.trim();
  return {
    title,
    text: sentence(error),
    detail: detail === '' ? `${error.kind} (no further detail)` : detail,
  };
}
