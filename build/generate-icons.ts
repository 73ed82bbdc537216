// Regenerates the packaging icons in this folder from the drawing in main/app/icon-art.ts:
//   npx tsx build/generate-icons.ts
// icon.png (512 px; electron-builder derives the Linux sizes from it), icon.ico (Windows), icon.icns (macOS).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appIconStyle, renderIcon } from '../main/app/icon-art';
import { encodePng } from '../main/app/png';
import type { RgbaImage } from './icon-files';
import { encodeIcns, encodeIco } from './icon-files';

const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const images = new Map<number, RgbaImage>(
  sizes.map((size) => [size, { size, rgba: renderIcon(size, appIconStyle) }]),
);
const image = (size: number): RgbaImage => images.get(size)!;

writeFileSync(join(import.meta.dirname, 'icon.png'), encodePng(image(512).rgba, 512, 512));
writeFileSync(join(import.meta.dirname, 'icon.ico'), encodeIco([16, 24, 32, 48, 64, 256].map(image)));
writeFileSync(join(import.meta.dirname, 'icon.icns'), encodeIcns(images));
console.log('wrote icon.png, icon.ico and icon.icns');
