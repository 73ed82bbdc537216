// Icon containers for packaging, written from rendered RGBA images:
// - .ico (Windows): ICONDIR + ICONDIRENTRY table; small sizes as 32-bit DIBs (BITMAPINFOHEADER, bottom-up BGRA plus
//   the 1-bit AND mask), 256 px as PNG, as Windows Vista and later read it.
// - .icns (macOS): 'icns' + big-endian length, then typed entries holding PNG data (ic07…ic14, icp4…icp6).
import { encodePng } from '../main/app/png';

export interface RgbaImage {
  readonly size: number;
  readonly rgba: Uint8Array;
}

function dib(image: RgbaImage): Buffer {
  const { size, rgba } = image;
  const maskStride = Math.ceil(size / 32) * 4;
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8); // colour rows and mask rows together
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(size * size * 4 + maskStride * size, 20);
  const pixels = Buffer.alloc(size * size * 4);
  const mask = Buffer.alloc(maskStride * size);
  for (let y = 0; y < size; y++) {
    const row = size - 1 - y; // bottom-up
    for (let x = 0; x < size; x++) {
      const from = (y * size + x) * 4;
      const to = (row * size + x) * 4;
      pixels[to] = rgba[from + 2]!;
      pixels[to + 1] = rgba[from + 1]!;
      pixels[to + 2] = rgba[from]!;
      pixels[to + 3] = rgba[from + 3]!;
      if (rgba[from + 3] === 0) mask[row * maskStride + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return Buffer.concat([header, pixels, mask]);
}

/** A Windows .ico holding every image (sizes 1…256). */
export function encodeIco(images: readonly RgbaImage[]): Buffer {
  const bodies = images.map((image) => {
    if (image.size < 1 || image.size > 256) throw new RangeError(`ico sizes are 1…256, not ${image.size}`);
    return image.size >= 256 ? encodePng(image.rgba, image.size, image.size) : dib(image);
  });
  const directory = Buffer.alloc(6 + 16 * images.length);
  directory.writeUInt16LE(0, 0);
  directory.writeUInt16LE(1, 2); // type: icon
  directory.writeUInt16LE(images.length, 4);
  let offset = directory.length;
  images.forEach((image, index) => {
    const entry = 6 + 16 * index;
    const body = bodies[index]!;
    directory[entry] = image.size >= 256 ? 0 : image.size; // 0 means 256
    directory[entry + 1] = image.size >= 256 ? 0 : image.size;
    directory.writeUInt16LE(1, entry + 4); // colour planes
    directory.writeUInt16LE(32, entry + 6); // bits per pixel
    directory.writeUInt32LE(body.length, entry + 8);
    directory.writeUInt32LE(offset, entry + 12);
    offset += body.length;
  });
  return Buffer.concat([directory, ...bodies]);
}

/** Pixel size of each icns entry type we write (PNG-bearing types). */
export const icnsTypes: Readonly<Record<string, number>> = {
  icp4: 16,
  icp5: 32,
  icp6: 64,
  ic07: 128,
  ic08: 256,
  ic09: 512,
  ic10: 1024, // 512 pt @2x
  ic11: 32, // 16 pt @2x
  ic12: 64, // 32 pt @2x
  ic13: 256, // 128 pt @2x
  ic14: 512, // 256 pt @2x
};

/** A macOS .icns with one PNG entry per type in `icnsTypes`, taken from the image of that pixel size. */
export function encodeIcns(imagesBySize: ReadonlyMap<number, RgbaImage>): Buffer {
  const pngs = new Map<number, Buffer>();
  const entries = Object.entries(icnsTypes).map(([type, size]) => {
    const image = imagesBySize.get(size);
    if (!image) throw new Error(`icns needs a ${size} px image for ${type}`);
    const png = pngs.get(size) ?? encodePng(image.rgba, size, size);
    pngs.set(size, png);
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(8 + entries.reduce((sum, entry) => sum + entry.length, 0), 4);
  return Buffer.concat([head, ...entries]);
}
