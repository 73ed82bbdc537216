// The headless / web host's SecretCipher: AES-256-GCM with a random key kept in its own file (`secret.key`, mode 0600)
// beside the database. No OS keyring is reachable from a headless process here, and Electron's safeStorage exists only
// inside Electron, so this is what keeps passwords out of the database file in plain text. It protects a copied,
// synced or backed-up database that travels without the key file; it does not protect against a program running as
// the same user, which can read both files. README.md in this folder says more.
//
// Value format: [version 0x01][12-byte random IV][ciphertext][16-byte GCM tag]. The version byte is authenticated
// (additional data), so changing it is detected like any other change.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { PasswordProtectionDto } from '../contract/contract';
import { SecretCipherError, type SecretCipher } from './secret-cipher';

export const KEY_FILE_NAME = 'secret.key';

const FORMAT_VERSION = 0x01;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

export class FileKeyCipher implements SecretCipher {
  readonly available = true;
  readonly protection: PasswordProtectionDto;
  #key: Buffer | undefined;

  /** The key file need not exist: it is created (with its folder) on the first `encrypt`. */
  constructor(readonly keyPath: string) {
    this.protection = { kind: 'key-file', detail: basename(keyPath) };
  }

  /** The cipher whose key file is `secret.key` in `directory` (the folder holding the database). */
  static inDirectory(directory: string): FileKeyCipher {
    return new FileKeyCipher(join(directory, KEY_FILE_NAME));
  }

  encrypt(plain: string): Buffer {
    const key = this.#loadKey(true);
    const header = Buffer.of(FORMAT_VERSION);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(header);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([header, iv, body, cipher.getAuthTag()]);
  }

  decrypt(data: Buffer): string {
    if (data.length < 1 + IV_BYTES + TAG_BYTES) {
      throw new SecretCipherError('malformed', 'The stored password is not in a format this app wrote.');
    }
    if (data[0] !== FORMAT_VERSION) {
      throw new SecretCipherError(
        'malformed',
        `The stored password uses format ${data[0]}, which this version of the app does not know.`,
      );
    }
    // A missing key is not created here: a new key could not decrypt this value anyway.
    const key = this.#loadKey(false);
    const iv = data.subarray(1, 1 + IV_BYTES);
    const body = data.subarray(1 + IV_BYTES, data.length - TAG_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(data.subarray(0, 1));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretCipherError(
        'authentication-failed',
        `The stored password could not be decrypted: it was changed, or ${this.keyPath} is not the key it was saved with. Enter the password again.`,
      );
    }
  }

  #loadKey(createIfMissing: boolean): Buffer {
    if (this.#key) return this.#key;
    let key = this.#readKey();
    if (!key) {
      if (!createIfMissing) {
        throw new SecretCipherError(
          'key-missing',
          `The key file ${this.keyPath} is missing, so stored passwords cannot be read. Enter the passwords again.`,
        );
      }
      key = this.#createKey();
    }
    this.#key = key;
    return key;
  }

  /** The key, or undefined when the file does not exist. */
  #readKey(): Buffer | undefined {
    let fd: number;
    try {
      fd = openSync(this.keyPath, 'r');
    } catch (cause) {
      if (errorCode(cause) === 'ENOENT') return undefined;
      throw this.#unusable('cannot be read', cause);
    }
    try {
      const stat = fstatSync(fd);
      if (stat.size !== KEY_BYTES) {
        throw new SecretCipherError(
          'key-unusable',
          `The key file ${this.keyPath} is damaged (${stat.size} bytes, expected ${KEY_BYTES}); stored passwords cannot be read.`,
        );
      }
      // Someone loosened the permissions (a copy, an archive tool): close the file to other users again.
      if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) fchmodSync(fd, 0o600);
      const key = Buffer.alloc(KEY_BYTES);
      if (readSync(fd, key, 0, KEY_BYTES, 0) !== KEY_BYTES) throw new Error('short read');
      return key;
    } catch (cause) {
      if (cause instanceof SecretCipherError) throw cause;
      throw this.#unusable('cannot be read', cause);
    } finally {
      closeSync(fd);
    }
  }

  // Written in full to a temporary file, then linked into place: the key file appears complete or not at all, and if
  // two processes race, link() lets exactly one win and the other reads the winner's key.
  #createKey(): Buffer {
    const key = randomBytes(KEY_BYTES);
    const directory = dirname(this.keyPath);
    const temporary = `${this.keyPath}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      mkdirSync(directory, { recursive: true, mode: 0o700 });
      writeNewFile(temporary, key);
      try {
        linkSync(temporary, this.keyPath);
      } catch (cause) {
        const code = errorCode(cause);
        if (code === 'EEXIST') {
          const winner = this.#readKey();
          if (winner) return winner;
          throw cause;
        }
        // Some file systems (FAT, some network shares) have no hard links: create the file in place instead.
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw cause;
        writeNewFile(this.keyPath, key);
      }
      syncDirectory(directory);
      return key;
    } catch (cause) {
      if (cause instanceof SecretCipherError) throw cause;
      throw this.#unusable('cannot be created', cause);
    } finally {
      try {
        unlinkSync(temporary);
      } catch {
        // Never created, or already gone.
      }
    }
  }

  #unusable(what: string, cause: unknown): SecretCipherError {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new SecretCipherError('key-unusable', `The key file ${this.keyPath} ${what} (${detail}).`);
  }
}

function errorCode(cause: unknown): string | undefined {
  return cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
}

/** Creates `path` (failing if it exists) readable by the owner only, with `data` flushed to disk. */
function writeNewFile(path: string, data: Buffer): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600); // the mode given to open is reduced by the umask
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// Makes the new directory entry itself durable. Not possible on every platform (Windows cannot open a directory).
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Best effort.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
