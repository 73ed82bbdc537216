// The loader: both builds of the module load from the installed package, export what the wrappers call, and the
// error text comes from libopus itself.
import { describe, expect, it } from 'vitest';
import { OPUS_INVALID_PACKET } from '../../../../native/opus/opus-defines';
import { WasmOpusEncoder } from '../../../../native/opus/opus-encoder';
import { loadOpus, opusWasmPath } from '../../../../native/opus/opus-wasm';

describe('loadOpus', () => {
  it('finds the module through the package, not a fixed path', () => {
    expect(opusWasmPath('baseline')).toMatch(/@evan[/\\]opus[/\\]wasm[/\\]opus\.wasm$/);
    expect(opusWasmPath('simd')).toMatch(/simd\.wasm$/);
  });

  it('loads each build once per thread and hands the same instance out again', () => {
    const baseline = loadOpus({ variant: 'baseline' });
    expect(baseline.variant).toBe('baseline');
    expect(loadOpus({ variant: 'baseline' }) === baseline).toBe(true);
    // Node 20 compiles WebAssembly SIMD, so the default is the SIMD build even after the baseline one was loaded.
    const preferred = loadOpus();
    expect(loadOpus() === preferred).toBe(true);
    expect(preferred.variant).toBe('simd');
    expect(loadOpus({ variant: 'simd' }) === preferred).toBe(true);
  });

  it("reads libopus's own error text", () => {
    expect(loadOpus().errorText(OPUS_INVALID_PACKET)).toBe('corrupted stream');
  });

  it('loads a module from a given file as a separate instance that works', () => {
    const own = loadOpus({ path: opusWasmPath('baseline') });
    // Identity as a boolean: a failing matcher would try to print 16 MiB of wasm memory.
    expect(own === loadOpus({ variant: 'baseline' })).toBe(false);
    const encoder = new WasmOpusEncoder({}, own);
    expect(encoder.encode(new Int16Array(960)).length).toBeGreaterThan(0);
    encoder.dispose();
  });

  it('refuses a file that is not the libopus module', () => {
    expect(() => loadOpus({ path: import.meta.filename })).toThrow();
  });
});
