// The media worker as a bundle runs it: its entry built the way `electron.vite.config.ts` and
// `scripts/build-cli.ts` build the `media-worker` entry (Vite, SSR, ES modules), then started by the host from the
// built file with no TypeScript loader in the worker, and found by `defaultMediaWorkerUrl` from beside an entry.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioStreamEndpoint } from '../../../main/media/session/audio-stream-endpoint';
import { MediaWorkerHost, defaultMediaWorkerUrl } from '../../../main/media/session/media-worker-host';
import { pcmuTo, waitFor } from './support/media-test-kit';

const root = join(import.meta.dirname, '..', '..', '..');

describe('the bundled media worker', () => {
  // Inside the project, so the bundle resolves packages from its node_modules as the real build's output does.
  const outDir = join(root, '.tmp', `media-worker-bundle-${process.pid}`);
  let host: MediaWorkerHost;

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    await build({
      configFile: false,
      root,
      logLevel: 'warn',
      build: {
        ssr: true,
        outDir,
        emptyOutDir: true,
        target: 'node20',
        minify: false,
        rollupOptions: {
          input: { 'media-worker': join(root, 'main', 'media', 'session', 'media-worker-entry.ts') },
          output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
        },
      },
    });
  });

  afterAll(async () => {
    await host?.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('is found beside a bundle entry and carries a call', async () => {
    const workerUrl = defaultMediaWorkerUrl(pathToFileURL(join(outDir, 'index.js')).href);
    expect(workerUrl.href).toBe(pathToFileURL(join(outDir, 'media-worker.js')).href);
    host = new MediaWorkerHost({ workerUrl });
    const a = await host.allocate('a', '127.0.0.1');
    const b = await host.allocate('b', '127.0.0.1');
    if (!a.ok || !b.ok) throw new Error('allocation failed');
    expect((await host.start('a', pcmuTo(b.value.rtpPort))).ok).toBe(true);
    expect((await host.start('b', pcmuTo(a.value.rtpPort))).ok).toBe(true);
    const heard: Int16Array[] = [];
    new AudioStreamEndpoint(host.audioPort('b')!).onFrame((frame) => heard.push(frame));
    await waitFor(() => heard.length >= 10);
    expect(host.crashes).toBe(0);
  });
});
