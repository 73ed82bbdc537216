// The loader: both builds of the module load from the installed package, export what the wrappers call, and the
// error text comes from libopus itself.
import { describe, expect, it } from 'vitest';
import { OPUS_INVALID_PACKET } from '../../../../native/opus/opus-defines';
import { loadOpus, opusWasmPath } from '../../../../native/opus/opus-wasm';

describe('loadOpus', () => {
  it('finds the module through the package, not a fixed path', () => {
    expect(opusWasmPath('baseline')).toMatch(/@evan[/\\]opus[/\\]wasm[/\\]opus\.wasm$/);
    expect(opusWasmPath('simd')).toMatch(/simd\.wasm$/);
  });

  it('loads each build once per thread and hands the same instance out again', () => {
    const baseline = loadOpus({ variant: 'baseline' });
    expect(baseline.variant).toBe('baseline');
    expect(loadOpus({ variant: 'baseline' })).toBe(baseline);
    const preferred = loadOpus();
    expect(loadOpus()).toBe(preferred);
    expect(['simd', 'baseline']).toContain(preferred.variant);
  });

  it("reads libopus's own error text", () => {
    expect(loadOpus().errorText(OPUS_INVALID_PACKET)).toBe('corrupted stream');
  });

  it('refuses a file that is not the libopus module', () => {
    expect(() => loadOpus({ path: import.meta.filename })).toThrow();
  });
});
