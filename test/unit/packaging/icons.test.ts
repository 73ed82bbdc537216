// The packaging icons in build/: a 512 px PNG, a Windows .ico and a macOS .icns, each well-formed, plus the
// container writers that produced them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeIcns, encodeIco, icnsTypes } from '../../../build/icon-files';
import { appIconStyle, renderIcon } from '../../../main/app/icon-art';

const build = join(import.meta.dirname, '../../../build');
const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(data: Buffer): [number, number] {
  expect(data.subarray(0, 8)).toEqual(pngSignature);
  expect(data.toString('ascii', 12, 16)).toBe('IHDR');
  return [data.readUInt32BE(16), data.readUInt32BE(20)];
}

interface IcoEntry {
  readonly size: number;
  readonly format: 'png' | 'dib';
  readonly data: Buffer;
}

function readIco(file: Buffer): IcoEntry[] {
  expect(file.readUInt16LE(0)).toBe(0);
  expect(file.readUInt16LE(2)).toBe(1);
  const count = file.readUInt16LE(4);
  return Array.from({ length: count }, (_, index) => {
    const entry = 6 + 16 * index;
    const size = file[entry] === 0 ? 256 : file[entry]!;
    expect(file.readUInt16LE(entry + 6)).toBe(32);
    const data = file.subarray(
      file.readUInt32LE(entry + 12),
      file.readUInt32LE(entry + 12) + file.readUInt32LE(entry + 8),
    );
    const format = data.subarray(0, 8).equals(pngSignature) ? 'png' : 'dib';
    return { size, format, data };
  });
}

function readIcns(file: Buffer): Map<string, Buffer> {
  expect(file.toString('ascii', 0, 4)).toBe('icns');
  expect(file.readUInt32BE(4)).toBe(file.length);
  const entries = new Map<string, Buffer>();
  let offset = 8;
  while (offset < file.length) {
    const type = file.toString('ascii', offset, offset + 4);
    const length = file.readUInt32BE(offset + 4);
    entries.set(type, file.subarray(offset + 8, offset + length));
    offset += length;
  }
  expect(offset).toBe(file.length);
  return entries;
}

describe('build/ icons', () => {
  it('icon.png is 512 × 512', () => {
    expect(pngSize(readFileSync(join(build, 'icon.png')))).toEqual([512, 512]);
  });

  it('icon.ico holds 16…256 px, the small ones as bitmaps and 256 px as PNG', () => {
    const entries = readIco(readFileSync(join(build, 'icon.ico')));
    expect(entries.map((entry) => entry.size)).toEqual([16, 24, 32, 48, 64, 256]);
    for (const entry of entries) {
      if (entry.size === 256) {
        expect(entry.format).toBe('png');
        expect(pngSize(entry.data)).toEqual([256, 256]);
      } else {
        expect(entry.format).toBe('dib');
        expect(entry.data.readUInt32LE(0)).toBe(40);
        expect(entry.data.readInt32LE(4)).toBe(entry.size);
        expect(entry.data.readInt32LE(8)).toBe(entry.size * 2);
      }
    }
  });

  it('icon.icns holds a PNG of the right size for every type, up to 1024 px', () => {
    const entries = readIcns(readFileSync(join(build, 'icon.icns')));
    expect([...entries.keys()].sort()).toEqual(Object.keys(icnsTypes).sort());
    for (const [type, data] of entries) {
      const size = icnsTypes[type]!;
      expect(pngSize(data)).toEqual([size, size]);
    }
  });
});

describe('container writers', () => {
  const image = (size: number) => ({ size, rgba: renderIcon(size, appIconStyle) });

  it('a DIB entry stores rows bottom-up as BGRA with a transparency mask', () => {
    const source = image(16);
    const [entry] = readIco(encodeIco([source]));
    const pixels = entry!.data.subarray(40, 40 + 16 * 16 * 4);
    // Top-left source pixel (transparent corner) is the first pixel of the last stored row.
    const lastRow = 15 * 16 * 4;
    expect(pixels[lastRow + 3]).toBe(source.rgba[3]);
    // A pixel in the middle: channels swapped to BGRA.
    const from = (8 * 16 + 8) * 4;
    const to = ((15 - 8) * 16 + 8) * 4;
    expect([pixels[to], pixels[to + 1], pixels[to + 2], pixels[to + 3]]).toEqual([
      source.rgba[from + 2],
      source.rgba[from + 1],
      source.rgba[from],
      source.rgba[from + 3],
    ]);
    const mask = entry!.data.subarray(40 + 16 * 16 * 4);
    expect(mask).toHaveLength(4 * 16);
    // The transparent top-left corner is masked: bit 7 of the first byte of the last mask row.
    expect(mask[15 * 4]! & 0x80).toBe(0x80);
  });

  it('refuses sizes an .ico cannot hold, and an .icns missing a size', () => {
    expect(() => encodeIco([{ size: 512, rgba: new Uint8Array(512 * 512 * 4) }])).toThrow(RangeError);
    expect(() => encodeIcns(new Map([[16, image(16)]]))).toThrow(/needs a 32 px image/);
  });
});
