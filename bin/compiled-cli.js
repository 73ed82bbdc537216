// Whether the compiled command in out/cli/ (scripts/build-cli.ts) may be used: it exists and none of the sources
// it was built from changed since. Anything unexpected answers false, and the launcher runs the sources instead.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @param {string} projectRoot
 * @returns {string | null} the compiled entry's path, or null when the sources must run instead
 */
export function currentCompiledCli(projectRoot) {
  const entry = join(projectRoot, 'out', 'cli', 'index.js');
  try {
    const builtAt = statSync(entry).mtimeMs;
    const { inputs } = JSON.parse(readFileSync(join(projectRoot, 'out', 'cli', 'inputs.json'), 'utf8'));
    if (!Array.isArray(inputs) || inputs.length === 0) return null;
    for (const input of inputs) {
      if (typeof input !== 'string' || statSync(join(projectRoot, input)).mtimeMs > builtAt) return null;
    }
    return entry;
  } catch {
    return null;
  }
}
