// The launcher runs the compiled command only while it is current: present, with its list of inputs, and no input
// changed since it was built. Otherwise it runs the sources (null here).
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { currentCompiledCli } from '../../../bin/compiled-cli.js';

let root: string;
const entry = () => join(root, 'out', 'cli', 'index.js');
const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'softphone-compiled-'));
  mkdirSync(join(root, 'out', 'cli'), { recursive: true });
  mkdirSync(join(root, 'main', 'cli'), { recursive: true });
  writeFileSync(join(root, 'main', 'cli', 'index.ts'), '');
  writeFileSync(join(root, 'main', 'cli', 'args.ts'), '');
  writeFileSync(entry(), '');
  writeFileSync(
    join(root, 'out', 'cli', 'inputs.json'),
    JSON.stringify({ inputs: ['main/cli/index.ts', 'main/cli/args.ts'] }),
  );
  at(join(root, 'main', 'cli', 'index.ts'), 1_000);
  at(join(root, 'main', 'cli', 'args.ts'), 1_000);
  at(entry(), 2_000);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('currentCompiledCli', () => {
  it('uses the compiled command when no input is newer', () => {
    expect(currentCompiledCli(root)).toBe(entry());
  });

  it('runs the sources once an input changed after the build', () => {
    at(join(root, 'main', 'cli', 'args.ts'), 3_000);
    expect(currentCompiledCli(root)).toBeNull();
  });

  it('runs the sources when an input is gone, the list is missing or malformed, or nothing was built', () => {
    rmSync(join(root, 'main', 'cli', 'args.ts'));
    expect(currentCompiledCli(root)).toBeNull();
    writeFileSync(join(root, 'main', 'cli', 'args.ts'), '');
    at(join(root, 'main', 'cli', 'args.ts'), 1_000);
    writeFileSync(join(root, 'out', 'cli', 'inputs.json'), '{"inputs": []}');
    expect(currentCompiledCli(root)).toBeNull();
    writeFileSync(join(root, 'out', 'cli', 'inputs.json'), 'not json');
    expect(currentCompiledCli(root)).toBeNull();
    rmSync(join(root, 'out'), { recursive: true });
    expect(currentCompiledCli(root)).toBeNull();
  });
});
