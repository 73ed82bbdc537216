// Reads an installed package's version so the results table names exactly what was measured.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function installedVersion(packageName: string): string {
  const manifest = require(`${packageName}/package.json`) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}
