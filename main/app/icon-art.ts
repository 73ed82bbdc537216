// The app's artwork drawn in code (a white handset on a coloured tile), so the tray can tint it by registration state
// at run time and `build/generate-icons.ts` can produce the packaging icons from the same drawing. Shapes are signed
// distance functions sampled 4×4 per pixel for smooth edges.

export interface Rgb {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

export interface IconStyle {
  /** Tile colour at the top and at the bottom (a vertical gradient). */
  readonly top: Rgb;
  readonly bottom: Rgb;
  /** 'rounded-square' for application icons, 'circle' for the tray. */
  readonly shape: 'rounded-square' | 'circle';
}

export function hexColor(hex: string): Rgb {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!match) throw new Error(`not a #rrggbb colour: ${hex}`);
  return { r: parseInt(match[1]!, 16), g: parseInt(match[2]!, 16), b: parseInt(match[3]!, 16) };
}

export const appIconStyle: IconStyle = {
  top: hexColor('#3b82f6'),
  bottom: hexColor('#1d4ed8'),
  shape: 'rounded-square',
};

function roundedBox(x: number, y: number, halfWidth: number, halfHeight: number, radius: number): number {
  const qx = Math.abs(x) - halfWidth + radius;
  const qy = Math.abs(y) - halfHeight + radius;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

function rotate(x: number, y: number, radians: number): [number, number] {
  const c = Math.cos(radians);
  const s = Math.sin(radians);
  return [c * x - s * y, s * x + c * y];
}

/** Distance to the handset in glyph space ([-1, 1]², y down); negative inside. */
function handsetDistance(x: number, y: number): number {
  // The classic receiver, lying diagonally: turn the point into the receiver's own upright frame.
  const [u, v] = rotate(x, y, -Math.PI / 4);
  // The handle: a band along an arch (part of a circle below the glyph), cut off at both ends.
  const archCentreY = 1.45;
  const archRadius = 1.55;
  const band = Math.abs(Math.hypot(u, v - archCentreY) - archRadius) - 0.16;
  const cut = Math.abs(u) - 0.5;
  const handle = Math.max(band, cut);
  // The ear and mouth pieces: rounded blocks at both ends, tilted to follow the arch.
  const cup = (side: 1 | -1): number => {
    const [cu, cv] = rotate(u - side * 0.56, v - 0.12, side * 0.32);
    return roundedBox(cu, cv, 0.2, 0.27, 0.15);
  };
  return Math.min(handle, cup(1), cup(-1));
}

function tileDistance(x: number, y: number, shape: IconStyle['shape']): number {
  // x, y in [-1, 1]: the tile leaves a small margin, as icon guidelines ask.
  return shape === 'circle' ? Math.hypot(x, y) - 0.97 : roundedBox(x, y, 0.88, 0.88, 0.36);
}

/** Renders the icon as RGBA, `size` × `size`, rows top to bottom. */
export function renderIcon(size: number, style: IconStyle): Uint8Array {
  if (!Number.isInteger(size) || size < 1 || size > 2048) throw new RangeError(`bad icon size ${size}`);
  const pixels = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    const t = py / Math.max(1, size - 1);
    const tile = {
      r: style.top.r + (style.bottom.r - style.top.r) * t,
      g: style.top.g + (style.bottom.g - style.top.g) * t,
      b: style.top.b + (style.bottom.b - style.top.b) * t,
    };
    for (let px = 0; px < size; px++) {
      let tileCover = 0;
      let glyphCover = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) / samples) / size) * 2 - 1;
          const y = ((py + (sy + 0.5) / samples) / size) * 2 - 1;
          if (tileDistance(x, y, style.shape) <= 0) {
            tileCover++;
            if (handsetDistance(x / 0.7, y / 0.7) <= 0) glyphCover++;
          }
        }
      }
      const total = samples * samples;
      const alpha = tileCover / total;
      // Within the covered part, mix white (the handset) over the tile colour.
      const white = tileCover === 0 ? 0 : glyphCover / tileCover;
      const offset = (py * size + px) * 4;
      pixels[offset] = Math.round(tile.r + (255 - tile.r) * white);
      pixels[offset + 1] = Math.round(tile.g + (255 - tile.g) * white);
      pixels[offset + 2] = Math.round(tile.b + (255 - tile.b) * white);
      pixels[offset + 3] = Math.round(alpha * 255);
    }
  }
  return pixels;
}
