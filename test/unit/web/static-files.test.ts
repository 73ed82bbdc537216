import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeFor, lookupStaticFile, requestSegments } from '../../../main/web/static-files';

describe('requestSegments', () => {
  it('maps / and directory targets to index.html and drops the query', () => {
    expect(requestSegments('/')).toEqual({ ok: true, segments: ['index.html'] });
    expect(requestSegments('/?x=1#y')).toEqual({ ok: true, segments: ['index.html'] });
    expect(requestSegments('/assets/app.js?v=2')).toEqual({ ok: true, segments: ['assets', 'app.js'] });
    expect(requestSegments('/a%20b.txt')).toEqual({ ok: true, segments: ['a b.txt'] });
  });

  it.each([
    ['/../secret', 403],
    ['/assets/../../secret', 403],
    ['/%2e%2e/secret', 403],
    ['/%2E%2E%2Fsecret', 403],
    ['/..%2fsecret', 403],
    ['/assets/%2e/app.js', 403],
    ['/..\\secret', 403],
    ['/%5c..%5csecret', 403],
    ['/index.html%00.js', 403],
    ['/\0', 403],
    ['/%E0%A4%A', 400],
    ['http://127.0.0.1:1/index.html', 400],
    ['*', 400],
    ['/.env', 404],
    ['/assets/.git/config', 404],
  ])('refuses %j with %i', (target, status) => {
    expect(requestSegments(target)).toEqual({ ok: false, status });
  });
});

describe('contentTypeFor', () => {
  it('names the types the renderer build contains', () => {
    expect(contentTypeFor('index.html')).toBe('text/html; charset=utf-8');
    expect(contentTypeFor('a/b.JS')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('x.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeFor('x.svg')).toBe('image/svg+xml');
    expect(contentTypeFor('codec.wasm')).toBe('application/wasm');
    expect(contentTypeFor('blob')).toBe('application/octet-stream');
  });
});

describe('lookupStaticFile', () => {
  let base: string;
  let root: string;

  beforeAll(async () => {
    base = await realpath(await mkdtemp(join(tmpdir(), 'web-static-')));
    root = join(base, 'renderer');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html>');
    await writeFile(join(root, 'assets', 'app.js'), 'export {}');
    await writeFile(join(base, 'secret.txt'), 'SECRET');
    await symlink(base, join(root, 'escape'));
    await symlink(join(base, 'secret.txt'), join(root, 'secret-link.txt'));
  });

  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('finds files inside the root', async () => {
    expect(await lookupStaticFile(root, '/')).toEqual({
      ok: true,
      path: join(root, 'index.html'),
      contentType: 'text/html; charset=utf-8',
    });
    expect(await lookupStaticFile(root, '/assets/app.js')).toMatchObject({
      ok: true,
      path: join(root, 'assets', 'app.js'),
    });
  });

  it('answers 404 for what is missing or is a directory', async () => {
    expect(await lookupStaticFile(root, '/nope.js')).toEqual({ ok: false, status: 404 });
    expect(await lookupStaticFile(root, '/assets')).toEqual({ ok: false, status: 404 });
    expect(await lookupStaticFile(root, '/assets/')).toEqual({ ok: false, status: 404 });
  });

  it('refuses symlinks that leave the root', async () => {
    expect(await lookupStaticFile(root, '/escape/secret.txt')).toEqual({ ok: false, status: 403 });
    expect(await lookupStaticFile(root, '/secret-link.txt')).toEqual({ ok: false, status: 403 });
  });

  it('refuses traversal before touching the disk', async () => {
    expect(await lookupStaticFile(root, '/../secret.txt')).toEqual({ ok: false, status: 403 });
    expect(await lookupStaticFile(root, '/%2e%2e/secret.txt')).toEqual({ ok: false, status: 403 });
  });
});
