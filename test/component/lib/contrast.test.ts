import { describe, expect, it } from 'vitest';
import { contrastRatio, parseHexColor, relativeLuminance } from '../../../renderer/src/lib/contrast';

describe('contrast', () => {
  it('reads #rgb and #rrggbb, and nothing else', () => {
    expect(parseHexColor('#fff')).toEqual([255, 255, 255]);
    expect(parseHexColor('#1D5FC4')).toEqual([29, 95, 196]);
    expect(parseHexColor('rgb(0 0 0)')).toBeNull();
    expect(parseHexColor('#12345')).toBeNull();
  });

  it('gives luminance 0 for black, 1 for white, and the sRGB curve in between', () => {
    expect(relativeLuminance([0, 0, 0])).toBe(0);
    expect(relativeLuminance([255, 255, 255])).toBeCloseTo(1, 10);
    // Mid grey #777: linearised (0.4667 → 0.1845), the same in each channel.
    expect(relativeLuminance([0x77, 0x77, 0x77])).toBeCloseTo(0.1845, 4);
    // Green weighs most, blue least.
    expect(relativeLuminance([0, 255, 0])).toBeCloseTo(0.7152, 4);
    expect(relativeLuminance([0, 0, 255])).toBeCloseTo(0.0722, 4);
  });

  it('matches the known ratios: 21 for black on white, 1 for a colour on itself, symmetric', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 10);
    expect(contrastRatio('#1d5fc4', '#1d5fc4')).toBe(1);
    expect(contrastRatio('#777', '#fff')).toBeCloseTo(4.48, 2);
    expect(contrastRatio('#fff', '#777')).toBe(contrastRatio('#777', '#fff'));
  });

  it('refuses what it cannot read rather than guessing', () => {
    expect(() => contrastRatio('red', '#fff')).toThrow('not a #hex colour: red');
  });
});
