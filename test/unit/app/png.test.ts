// The PNG writer and the icon drawing: files decode back to the pixels drawn, and the drawing has the tile and the
// white handset where expected.
import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { appIconStyle, hexColor, renderIcon } from '../../../main/app/icon-art';
import { encodePng } from '../../../main/app/png';

interface Chunk {
  readonly type: string;
  readonly data: Buffer;
}

function chunks(png: Buffer): Chunk[] {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const found: Chunk[] = [];
  let offset = 8;
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    expect(png.readUInt32BE(offset + 8 + length)).toBe(
      crc32(png.subarray(offset + 4, offset + 8 + length)) >>> 0,
    );
    found.push({ type, data });
    offset += 12 + length;
  }
  return found;
}

describe('encodePng', () => {
  it('writes IHDR, IDAT and IEND with valid CRCs, and the pixels decode back', () => {
    const rgba = new Uint8Array([
      255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 1, 2, 3, 4, 9, 9, 9, 9, 7, 7, 7, 7,
    ]);
    const png = encodePng(rgba, 3, 2);
    const parts = chunks(png);
    expect(parts.map((part) => part.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const header = parts[0]!.data;
    expect([header.readUInt32BE(0), header.readUInt32BE(4), header[8], header[9]]).toEqual([3, 2, 8, 6]);
    const raw = inflateSync(parts[1]!.data);
    expect(raw).toHaveLength(2 * (1 + 3 * 4));
    expect(raw[0]).toBe(0);
    expect([...raw.subarray(1, 13)]).toEqual([...rgba.subarray(0, 12)]);
    expect([...raw.subarray(14, 26)]).toEqual([...rgba.subarray(12, 24)]);
  });

  it('refuses a pixel buffer of the wrong size', () => {
    expect(() => encodePng(new Uint8Array(10), 2, 2)).toThrow(RangeError);
  });
});

describe('renderIcon', () => {
  const size = 64;
  const pixels = renderIcon(size, appIconStyle);
  const at = (x: number, y: number) => [...pixels.subarray((y * size + x) * 4, (y * size + x) * 4 + 4)];

  it('leaves the corners transparent and fills the tile', () => {
    expect(at(0, 0)[3]).toBe(0);
    expect(at(size - 1, size - 1)[3]).toBe(0);
    expect(at(size / 2, 4)[3]).toBe(255);
  });

  it('draws white on the tile colour', () => {
    const opaque = [];
    for (let i = 0; i < size * size; i++) if (pixels[i * 4 + 3] === 255) opaque.push(i);
    const white = opaque.filter(
      (i) => pixels[i * 4] === 255 && pixels[i * 4 + 1] === 255 && pixels[i * 4 + 2] === 255,
    );
    // The handset covers a noticeable part of the tile, but far from all of it.
    expect(white.length / opaque.length).toBeGreaterThan(0.05);
    expect(white.length / opaque.length).toBeLessThan(0.5);
  });

  it('a circle tile for the tray', () => {
    const tray = renderIcon(32, { top: hexColor('#00ff00'), bottom: hexColor('#00ff00'), shape: 'circle' });
    expect(tray[3]).toBe(0);
    expect(tray[(16 * 32 + 1) * 4 + 3]).toBeGreaterThan(0);
  });

  it('rejects bad sizes and colours', () => {
    expect(() => renderIcon(0, appIconStyle)).toThrow(RangeError);
    expect(() => hexColor('green')).toThrow();
  });
});
