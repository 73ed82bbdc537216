// The packaged app starts the media worker from app.asar.unpacked (asarUnpackedUrl in media-worker-host.ts), so
// electron-builder must unpack every file that worker loads and nothing else the worker does not need. Rather than
// trust a hand-kept list, this builds the Electron main bundle in memory with the project's own electron-vite
// configuration and walks the worker's import graph: the entry, each chunk it imports (statically or dynamically),
// each package those chunks import, and each package they resolve at run time (`require.resolve('pkg/…')`, as the
// Opus loader does for its wasm). Then every one of those must match an `asarUnpack` pattern, and every pattern
// (the native addon's aside) must match something the worker loads.
import { isBuiltin } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, matchesGlob, posix } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InlineConfig } from 'vite';
import { build } from 'vite';
import { resolveConfig } from 'electron-vite';
import { electronBuilderConfig as config } from '../../../electron-builder.config';

const root = join(import.meta.dirname, '../../..');

interface BuiltChunk {
  readonly fileName: string;
  readonly code: string;
  readonly imports: readonly string[];
  readonly dynamicImports: readonly string[];
}

/** What one worker thread loads: files of the build output (relative to the project) and packages by name. */
interface WorkerLoads {
  readonly files: readonly string[];
  readonly packages: readonly string[];
}

/**
 * Where the packaged app finds the main bundle: the folder of package.json's `main`, which Electron starts (and
 * where electron-vite writes the main build by default).
 */
function mainOutDir(): { readonly folder: string; readonly entry: string } {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
  return { folder: posix.dirname(pkg.main), entry: posix.basename(pkg.main) };
}

/** The main bundle as `npm run build` makes it, in memory (nothing is written to out/). */
async function buildMainInMemory(): Promise<BuiltChunk[]> {
  const resolved = await resolveConfig(
    { root, configFile: join(root, 'electron.vite.config.ts'), logLevel: 'silent' },
    'build',
    'production',
  );
  const main = resolved.config?.main as InlineConfig | undefined;
  if (main === undefined) throw new Error('electron.vite.config.ts has no main build');
  const result = await build({ ...main, logLevel: 'silent', build: { ...main.build, write: false } });
  const chunks: BuiltChunk[] = [];
  for (const output of Array.isArray(result) ? result : [result]) {
    if (!('output' in output)) continue;
    for (const item of output.output) if (item.type === 'chunk') chunks.push(item);
  }
  return chunks;
}

/** `@scope/name/x` → `@scope/name`, `name/x` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Packages a chunk resolves by name at run time: `.resolve('pkg/package.json')` and the like. */
function resolvedPackages(code: string): string[] {
  const names: string[] = [];
  for (const match of code.matchAll(/\.resolve\(\s*["'`]([^"'`]+)["'`]\s*\)/gu)) {
    const specifier = match[1]!;
    if (!specifier.startsWith('.') && !specifier.startsWith('/') && !isBuiltin(specifier)) {
      names.push(packageName(specifier));
    }
  }
  return names;
}

function workerLoads(outPrefix: string, chunks: readonly BuiltChunk[], entry: string): WorkerLoads {
  const byName = new Map(chunks.map((chunk) => [chunk.fileName, chunk]));
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (files.has(`${outPrefix}/${next}`)) continue;
    const chunk = byName.get(next);
    if (chunk === undefined) throw new Error(`the worker imports ${next}, which the build did not make`);
    files.add(`${outPrefix}/${next}`);
    for (const specifier of [...chunk.imports, ...chunk.dynamicImports]) {
      if (byName.has(specifier)) queue.push(specifier);
      else if (!isBuiltin(specifier)) packages.add(packageName(specifier));
    }
    for (const name of resolvedPackages(chunk.code)) packages.add(name);
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}

const unpack = (Array.isArray(config.asarUnpack) ? config.asarUnpack : [config.asarUnpack]).filter(
  (pattern): pattern is string => typeof pattern === 'string',
);
const covered = (path: string) => unpack.some((pattern) => matchesGlob(path, pattern));

let loads: WorkerLoads;
let chunkNames: string[];

beforeAll(async () => {
  const chunks = await buildMainInMemory();
  chunkNames = chunks.map((chunk) => chunk.fileName);
  loads = workerLoads(mainOutDir().folder, chunks, 'media-worker.js');
}, 60_000);

describe('the media worker outside app.asar', () => {
  it('finds the worker entry and what it loads in the real build', () => {
    expect(chunkNames).toContain(mainOutDir().entry);
    expect(loads.files).toContain(`${mainOutDir().folder}/media-worker.js`);
    expect(loads.files.some((file) => file.startsWith('out/main/chunks/'))).toBe(true);
    // The Opus wasm is read from the package's folder, found from the worker's own location.
    expect(loads.packages).toContain('@evan/opus');
  });

  it('unpacks every file of the build output the worker loads', () => {
    for (const file of loads.files) expect(covered(file), file).toBe(true);
  });

  it('unpacks every package the worker imports or resolves, whole', () => {
    for (const name of loads.packages) {
      expect(covered(`node_modules/${name}/package.json`), name).toBe(true);
      expect(covered(`node_modules/${name}/wasm/opus.wasm`), name).toBe(true);
    }
  });

  it('unpacks nothing else: each pattern but the native addon matches something the worker loads', () => {
    const loaded = [...loads.files, ...loads.packages.map((name) => `node_modules/${name}/package.json`)];
    for (const pattern of unpack) {
      if (pattern.endsWith('.node')) continue;
      expect(
        loaded.some((path) => matchesGlob(path, pattern)),
        pattern,
      ).toBe(true);
    }
  });
});
