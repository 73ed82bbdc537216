// Loads libopus compiled to WebAssembly and exposes its raw C API, typed. The module is the `opus.wasm` (or
// `simd.wasm`) that the @evan/opus package ships: we use its binary only, not its JavaScript wrapper, because the
// wrapper cannot call opus_decode with decode_fec = 1 or with a null packet (see native/README.md).
//
// One instance per thread: every encoder and decoder of a thread lives in the same linear memory and is freed
// explicitly. The file is found with Node's own resolution from this module's location, so it works from the
// sources (tsx, vitest), from the Electron main bundle and from the CLI bundle, as long as the package stays
// external to the bundle (electron-vite externalises `dependencies` by default).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The slice of the WebAssembly JavaScript API this loader uses. Node has had it since v8, but the project's
 * type libraries (ES2023 + @types/node 20, no DOM) do not declare it, so it is typed here once.
 */
interface WebAssemblyMemory {
  readonly buffer: ArrayBuffer;
}
interface WebAssemblyApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (
    module: object,
    imports: Record<string, Record<string, (...args: never[]) => unknown>>,
  ) => { readonly exports: Record<string, unknown> };
  readonly Memory: abstract new (...args: never[]) => WebAssemblyMemory;
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The functions and memory the module exports, with the C signatures they carry (pointers are byte offsets). */
export interface OpusWasmExports {
  readonly memory: WebAssemblyMemory;
  /** Runs the module's C constructors (a WASI "reactor" module wants this called once before anything else). */
  _initialize(): void;
  malloc(bytes: number): number;
  free(pointer: number): void;
  opus_strerror(code: number): number;
  opus_encoder_get_size(channels: number): number;
  opus_encoder_init(state: number, sampleRate: number, channels: number, application: number): number;
  opus_encode(state: number, pcm: number, frameSize: number, data: number, maxDataBytes: number): number;
  /** opus_encoder_ctl(state, request, value) for one int argument; returns the libopus error code. */
  opus_encoder_ctl_set(state: number, request: number, value: number): number;
  /** opus_encoder_ctl(state, request, &value); returns the value itself, so a bad request cannot be told apart. */
  opus_encoder_ctl_get(state: number, request: number): number;
  opus_decoder_get_size(channels: number): number;
  opus_decoder_init(state: number, sampleRate: number, channels: number): number;
  opus_decode(
    state: number,
    data: number,
    length: number,
    pcm: number,
    frameSize: number,
    decodeFec: number,
  ): number;
  opus_decoder_ctl_set(state: number, request: number, value: number): number;
  opus_decoder_ctl_get(state: number, request: number): number;
}

const REQUIRED_FUNCTIONS = [
  '_initialize',
  'malloc',
  'free',
  'opus_strerror',
  'opus_encoder_get_size',
  'opus_encoder_init',
  'opus_encode',
  'opus_encoder_ctl_set',
  'opus_encoder_ctl_get',
  'opus_decoder_get_size',
  'opus_decoder_init',
  'opus_decode',
  'opus_decoder_ctl_set',
  'opus_decoder_ctl_get',
] as const;

export type OpusWasmVariant = 'simd' | 'baseline';

/** Where the package keeps each build of the module. */
const VARIANT_FILES: Readonly<Record<OpusWasmVariant, string>> = { simd: 'simd.wasm', baseline: 'opus.wasm' };

/** The wasm file of a variant, resolved the way `import '@evan/opus'` would be from here. */
export function opusWasmPath(variant: OpusWasmVariant): string {
  const packageJson = createRequire(import.meta.url).resolve('@evan/opus/package.json');
  return join(dirname(packageJson), 'wasm', VARIANT_FILES[variant]);
}

/**
 * The running module: its exports plus views of its memory that follow memory growth. Views are taken afresh
 * whenever the memory's buffer has changed (growth detaches the old ArrayBuffer), so callers must not keep them
 * across a call into the module that may allocate.
 */
export class OpusRuntime {
  readonly variant: OpusWasmVariant;
  private buffer: ArrayBuffer;
  private bytes: Uint8Array;

  constructor(
    readonly exports: OpusWasmExports,
    variant: OpusWasmVariant,
  ) {
    this.variant = variant;
    this.buffer = exports.memory.buffer;
    this.bytes = new Uint8Array(this.buffer);
  }

  /** The whole linear memory as bytes, valid until the next allocation. */
  heap(): Uint8Array {
    if (this.exports.memory.buffer !== this.buffer) {
      this.buffer = this.exports.memory.buffer;
      this.bytes = new Uint8Array(this.buffer);
    }
    return this.bytes;
  }

  /** `count` 16-bit samples at `pointer` (malloc aligns to at least 8 bytes, so the view is aligned). */
  samples(pointer: number, count: number): Int16Array {
    return new Int16Array(this.heap().buffer, pointer, count);
  }

  /** Size of the linear memory now, in bytes: what a leak would make grow. */
  memoryBytes(): number {
    return this.exports.memory.buffer.byteLength;
  }

  /** malloc that never returns 0: running out of wasm memory is not a state any caller can carry on from. */
  allocate(bytes: number): number {
    const pointer = this.exports.malloc(bytes);
    if (pointer === 0) throw new Error(`libopus wasm: malloc(${bytes}) failed`);
    return pointer;
  }

  /** Several blocks at once: all of them, or none (what was allocated is freed before the error goes on). */
  allocateAll(sizes: readonly number[]): number[] {
    const pointers: number[] = [];
    try {
      for (const size of sizes) pointers.push(this.allocate(size));
      return pointers;
    } catch (error) {
      for (const pointer of pointers) this.release(pointer);
      throw error;
    }
  }

  release(pointer: number): void {
    if (pointer !== 0) this.exports.free(pointer);
  }

  /** libopus's own text for an error code (a static C string in the module's memory). */
  errorText(code: number): string {
    const heap = this.heap();
    const start = this.exports.opus_strerror(code);
    let end = start;
    while (end < heap.length && heap[end] !== 0 && end - start < 200) end++;
    return new TextDecoder().decode(heap.subarray(start, end));
  }
}

function instantiate(bytes: Uint8Array, variant: OpusWasmVariant): OpusRuntime {
  const module = new webAssembly.Module(bytes);
  // The module was linked for WASI and Emscripten's standalone mode. libopus itself never writes to a file or
  // exits, so the four WASI imports are inert stubs (fd_write reports "bad file descriptor" if ever reached); the
  // growth notice needs no action because OpusRuntime.heap() notices the new buffer itself.
  const badFileDescriptor = 8;
  const imports = {
    wasi_snapshot_preview1: {
      proc_exit: (): void => undefined,
      fd_close: (): number => badFileDescriptor,
      fd_write: (): number => badFileDescriptor,
      fd_seek: (): number => badFileDescriptor,
    },
    env: { emscripten_notify_memory_growth: (): void => undefined },
  };
  const instance = new webAssembly.Instance(module, imports);
  const exports = instance.exports;
  for (const name of REQUIRED_FUNCTIONS) {
    if (typeof exports[name] !== 'function')
      throw new Error(`libopus wasm: the module does not export ${name}`);
  }
  if (!(exports['memory'] instanceof webAssembly.Memory)) throw new Error('libopus wasm: no exported memory');
  const typed = instance.exports as unknown as OpusWasmExports;
  typed._initialize();
  return new OpusRuntime(typed, variant);
}

export interface LoadOpusOptions {
  /** Which build to load; by default the SIMD one when this engine compiles it, else the baseline one. */
  readonly variant?: OpusWasmVariant;
  /** Read the module from this file instead of the installed package (a self-built libopus); never cached. */
  readonly path?: string;
}

const loaded = new Map<OpusWasmVariant, OpusRuntime>();
/** What loadOpus() without a variant settled on: SIMD, or the baseline build where SIMD does not compile. */
let preferred: OpusRuntime | undefined;

/**
 * The thread's libopus, compiled and instantiated on first use (synchronously: ≈ 400 kB, once per thread). Throws
 * when the file is missing or is not the libopus build this loader expects; a codec that cannot load is a broken
 * installation, which the caller reports, not a condition to limp through.
 */
export function loadOpus(options: LoadOpusOptions = {}): OpusRuntime {
  if (options.path !== undefined) {
    return instantiate(readFileSync(options.path), options.variant ?? 'baseline');
  }
  if (options.variant !== undefined) return loadVariant(options.variant);
  if (preferred) return preferred;
  try {
    preferred = loadVariant('simd');
  } catch {
    // An engine without WebAssembly SIMD refuses to compile simd.wasm; the baseline build is the fallback.
    preferred = loadVariant('baseline');
  }
  return preferred;
}

function loadVariant(variant: OpusWasmVariant): OpusRuntime {
  const cached = loaded.get(variant);
  if (cached) return cached;
  const runtime = instantiate(readFileSync(opusWasmPath(variant)), variant);
  loaded.set(variant, runtime);
  return runtime;
}
