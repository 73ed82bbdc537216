import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileKeyCipher, KEY_FILE_NAME } from '../../../main/store/file-key-cipher';
import {
  SecretCipherError,
  type SecretCipher,
  type SecretCipherFailure,
} from '../../../main/store/secret-cipher';
import { useTempDirs } from './helpers/temp-dir';

const tempDir = useTempDirs();
const posix = process.platform !== 'win32';

function failure(run: () => unknown): SecretCipherError {
  try {
    run();
  } catch (error) {
    if (error instanceof SecretCipherError) return error;
    throw new Error(`expected a SecretCipherError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a SecretCipherError, nothing was thrown');
}

const reasonOf = (run: () => unknown): SecretCipherFailure => failure(run).reason;

describe('FileKeyCipher', () => {
  it('is a SecretCipher that reports its kind and its key file, for the window to word', () => {
    const cipher: SecretCipher = FileKeyCipher.inDirectory(tempDir());
    expect(cipher.available).toBe(true);
    expect(cipher.protection).toEqual({ kind: 'key-file', detail: 'secret.key' });
  });

  it.each(['hunter2', '', 'пароль with ünïcödé and emoji 🔑', 'x'.repeat(10_000)])(
    'round-trips %j',
    (plain) => {
      const cipher = FileKeyCipher.inDirectory(tempDir());
      expect(cipher.decrypt(cipher.encrypt(plain))).toBe(plain);
    },
  );

  it('writes version byte, 12-byte IV, ciphertext and 16-byte tag, with a fresh IV each time', () => {
    const cipher = FileKeyCipher.inDirectory(tempDir());
    const one = cipher.encrypt('same password');
    const two = cipher.encrypt('same password');
    expect(one[0]).toBe(1);
    expect(one).toHaveLength(1 + 12 + Buffer.byteLength('same password') + 16);
    expect(one.subarray(1, 13).equals(two.subarray(1, 13))).toBe(false);
    expect(one.equals(two)).toBe(false);
    expect(one.toString('latin1')).not.toContain('same password');
  });

  it('does nothing on disk until the first encrypt', () => {
    const dir = join(tempDir(), 'data');
    const cipher = FileKeyCipher.inDirectory(dir);
    expect(cipher.keyPath).toBe(join(dir, KEY_FILE_NAME));
    expect(existsSync(dir)).toBe(false);
    cipher.encrypt('x');
    expect(readdirSync(dir)).toEqual(['secret.key']); // no temporary file left behind
  });

  it('creates a missing key file: 32 random bytes, readable by the owner only, in a 0700 folder', () => {
    const dir = join(tempDir(), 'data');
    FileKeyCipher.inDirectory(dir).encrypt('x');
    const keyPath = join(dir, KEY_FILE_NAME);
    expect(readFileSync(keyPath)).toHaveLength(32);
    if (posix) {
      expect(statSync(keyPath).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    }
    const other = join(tempDir(), 'data');
    FileKeyCipher.inDirectory(other).encrypt('x');
    expect(readFileSync(join(other, KEY_FILE_NAME)).equals(readFileSync(keyPath))).toBe(false);
  });

  it('keeps using the same key: a new instance decrypts what an old one wrote', () => {
    const dir = tempDir();
    const data = FileKeyCipher.inDirectory(dir).encrypt('persisted');
    const key = readFileSync(join(dir, KEY_FILE_NAME));
    expect(FileKeyCipher.inDirectory(dir).decrypt(data)).toBe('persisted');
    FileKeyCipher.inDirectory(dir).encrypt('more');
    expect(readFileSync(join(dir, KEY_FILE_NAME)).equals(key)).toBe(true);
  });

  it('two instances creating the key share it (the second reads the first one)', () => {
    const dir = tempDir();
    const first = FileKeyCipher.inDirectory(dir);
    const second = FileKeyCipher.inDirectory(dir);
    const a = first.encrypt('a');
    const b = second.encrypt('b');
    expect(second.decrypt(a)).toBe('a');
    expect(first.decrypt(b)).toBe('b');
  });

  it.skipIf(!posix)('closes a key file that someone made readable to others', () => {
    const dir = tempDir();
    const data = FileKeyCipher.inDirectory(dir).encrypt('x');
    const keyPath = join(dir, KEY_FILE_NAME);
    chmodSync(keyPath, 0o644);
    expect(FileKeyCipher.inDirectory(dir).decrypt(data)).toBe('x');
    expect(statSync(keyPath).mode & 0o777).toBe(0o600);
  });

  describe('refuses, with a clear error', () => {
    const sample = () => {
      const cipher = FileKeyCipher.inDirectory(tempDir());
      return { cipher, data: cipher.encrypt('correct horse battery staple') };
    };

    it.each([
      ['the IV', 5],
      ['the ciphertext', 1 + 12 + 3],
      ['the tag', -1],
    ])('data with a flipped bit in %s (authentication-failed)', (_where, index) => {
      const { cipher, data } = sample();
      const tampered = Buffer.from(data);
      const at = index < 0 ? tampered.length + index : index;
      tampered[at] = tampered[at]! ^ 0x01;
      const error = failure(() => cipher.decrypt(tampered));
      expect(error.reason).toBe('authentication-failed');
      expect(error.message).toMatch(/Enter the password again/);
    });

    it('data with a changed version byte (malformed)', () => {
      const { cipher, data } = sample();
      const changed = Buffer.from(data);
      changed[0] = 2;
      expect(failure(() => cipher.decrypt(changed)).message).toMatch(/format 2/);
    });

    it('truncated or empty data (malformed)', () => {
      const { cipher, data } = sample();
      expect(reasonOf(() => cipher.decrypt(data.subarray(0, 28)))).toBe('malformed');
      expect(reasonOf(() => cipher.decrypt(Buffer.alloc(0)))).toBe('malformed');
      // Cut inside the ciphertext: long enough to parse, so the tag check catches it.
      expect(reasonOf(() => cipher.decrypt(data.subarray(0, data.length - 1)))).toBe('authentication-failed');
    });

    it('data encrypted with another key (authentication-failed)', () => {
      const { data } = sample();
      const other = FileKeyCipher.inDirectory(tempDir());
      other.encrypt('make a key');
      expect(reasonOf(() => other.decrypt(data))).toBe('authentication-failed');
    });

    it('a missing key file (key-missing), without creating one', () => {
      const { data } = sample();
      const dir = tempDir();
      const error = failure(() => FileKeyCipher.inDirectory(dir).decrypt(data));
      expect(error.reason).toBe('key-missing');
      expect(error.message).toContain(join(dir, KEY_FILE_NAME));
      expect(existsSync(join(dir, KEY_FILE_NAME))).toBe(false);
    });

    it('a key file of the wrong size (key-unusable), and does not replace it', () => {
      const dir = tempDir();
      const keyPath = join(dir, KEY_FILE_NAME);
      writeFileSync(keyPath, 'short', { mode: 0o600 });
      const cipher = FileKeyCipher.inDirectory(dir);
      const error = failure(() => cipher.encrypt('x'));
      expect(error.reason).toBe('key-unusable');
      expect(error.message).toMatch(/damaged \(5 bytes, expected 32\)/);
      expect(readFileSync(keyPath, 'utf8')).toBe('short');
    });

    it('a key path under a file (key-unusable)', () => {
      const blocker = join(tempDir(), 'file');
      writeFileSync(blocker, 'x');
      const error = failure(() => new FileKeyCipher(join(blocker, KEY_FILE_NAME)).encrypt('x'));
      expect(error.reason).toBe('key-unusable');
      expect(error.message).toMatch(/cannot be read \(ENOTDIR/);
    });

    it('a key path that is a folder (key-unusable)', () => {
      const dir = tempDir();
      expect(reasonOf(() => new FileKeyCipher(dir).encrypt('x'))).toBe('key-unusable');
    });
  });
});
