// Compiles the `softphone` command to out/cli/ (part of `npm run build`), so bin/softphone.js can start it without
// tsx: that saves most of its start-up time. Beside it, out/cli/inputs.json lists the source files that went in;
// the launcher uses the compiled copy only while none of them is newer than it, and runs the sources otherwise.
import { writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { build } from 'vite';

const root = join(import.meta.dirname, '..');
const outDir = join(root, 'out', 'cli');

const result = await build({
  configFile: false,
  root,
  logLevel: 'warn',
  build: {
    ssr: true,
    outDir,
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: false,
    rollupOptions: {
      input: {
        index: join(root, 'main', 'cli', 'index.ts'),
        // The media worker thread's module: MediaWorkerHost loads it from beside the compiled command.
        'media-worker': join(root, 'main', 'media', 'session', 'media-worker-entry.ts'),
      },
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
});

const outputs = Array.isArray(result) ? result : [result];
const inputs = new Set<string>();
for (const output of outputs) {
  if (!('output' in output)) continue;
  for (const chunk of output.output) {
    if (chunk.type !== 'chunk') continue;
    for (const id of chunk.moduleIds) {
      const path = relative(root, id.split('?')[0]!);
      if (!path.startsWith('..') && !path.includes('node_modules')) inputs.add(path.split(sep).join('/'));
    }
  }
}
writeFileSync(join(outDir, 'inputs.json'), `${JSON.stringify({ inputs: [...inputs].sort() }, null, 2)}\n`);
process.stdout.write(`softphone command compiled to out/cli/ from ${inputs.size} source files\n`);
