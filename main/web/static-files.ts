// Maps a request target to a file inside the built renderer, and nothing outside it. Every step that could escape
// the root is refused on its own (encoded dots, backslashes, NUL, `..` segments), and the final path is confined
// again after symlinks are resolved, so one missed case in the first checks is not a hole.
import { realpath, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

export type StaticLookup =
  | { readonly ok: true; readonly path: string; readonly contentType: string }
  | { readonly ok: false; readonly status: 400 | 403 | 404 };

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.mp3': 'audio/mpeg',
};

export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The path segments a request target names, or why it is refused. Pure: no file system access.
 * `/` and any target ending in `/` name that directory's index.html.
 */
export function requestSegments(
  requestTarget: string,
):
  | { readonly ok: true; readonly segments: readonly string[] }
  | { readonly ok: false; readonly status: 400 | 403 | 404 } {
  // Absolute-form (`GET http://other/ HTTP/1.1`) and asterisk-form targets are not for a file server.
  if (!requestTarget.startsWith('/')) return { ok: false, status: 400 };
  const end = requestTarget.search(/[?#]/);
  const rawPath = end === -1 ? requestTarget : requestTarget.slice(0, end);
  if (rawPath.includes('\\') || rawPath.includes('\0')) return { ok: false, status: 403 };
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { ok: false, status: 400 };
  }
  // Decoding can produce what the raw checks were looking for (%5c, %00, %2e%2e, %2f).
  if (decoded.includes('\\') || decoded.includes('\0')) return { ok: false, status: 403 };
  const segments = decoded.split('/').slice(1);
  if (segments.some((segment) => segment === '..' || segment === '.')) return { ok: false, status: 403 };
  // Dot-files are never part of a build; do not even say whether one exists.
  if (segments.some((segment) => segment.startsWith('.'))) return { ok: false, status: 404 };
  const named = segments.filter((segment) => segment !== '');
  if (decoded.endsWith('/')) named.push('index.html');
  return { ok: true, segments: named };
}

/** Finds the file a request target names under `realRoot` (which must already be a resolved real path). */
export async function lookupStaticFile(realRoot: string, requestTarget: string): Promise<StaticLookup> {
  const parsed = requestSegments(requestTarget);
  if (!parsed.ok) return parsed;
  const candidate = resolve(realRoot, ...parsed.segments);
  if (!isInside(realRoot, candidate)) return { ok: false, status: 403 };
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    return { ok: false, status: 404 };
  }
  // A symlink inside the build that points elsewhere is as much an escape as `..`.
  if (!isInside(realRoot, real)) return { ok: false, status: 403 };
  try {
    const info = await stat(real);
    if (!info.isFile()) return { ok: false, status: 404 };
  } catch {
    return { ok: false, status: 404 };
  }
  return { ok: true, path: real, contentType: contentTypeFor(real) };
}

function isInside(root: string, path: string): boolean {
  return path.startsWith(root.endsWith(sep) ? root : root + sep);
}
