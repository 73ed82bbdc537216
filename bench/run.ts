// `npm run bench [-- name-filter…]`: runs every bench/*.ts module that exports `benchmark` and records its section
// in bench/RESULTS.md, leaving the other benchmarks' sections as they were.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isBenchmark, type Benchmark } from './benchmark';
import { replaceSection } from './results-file';

const benchDir = import.meta.dirname;
const resultsPath = join(benchDir, 'RESULTS.md');
const filters = process.argv.slice(2);

async function findBenchmarks(): Promise<{ file: string; benchmark: Benchmark }[]> {
  const files = readdirSync(benchDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && file !== 'run.ts')
    .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
    .sort();
  const found: { file: string; benchmark: Benchmark }[] = [];
  for (const file of files) {
    const loaded: unknown = await import(pathToFileURL(join(benchDir, file)).href);
    if (
      typeof loaded === 'object' &&
      loaded !== null &&
      'benchmark' in loaded &&
      isBenchmark(loaded.benchmark)
    ) {
      found.push({ file, benchmark: loaded.benchmark });
    }
  }
  return found;
}

const started = performance.now();
const benchmarks = await findBenchmarks();
if (benchmarks.length === 0) {
  console.error(`no benchmark module matches ${filters.length === 0 ? 'bench/*.ts' : filters.join(', ')}`);
  process.exit(1);
}
for (const { file, benchmark } of benchmarks) {
  console.error(`${file}: ${benchmark.section}`);
  const body = await benchmark.run();
  console.log(`\n## ${benchmark.section}\n\n${body}\n`);
  // Written after each benchmark so a later failure keeps the sections already measured.
  const document = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : '';
  writeFileSync(resultsPath, replaceSection(document, benchmark.section, body));
}
console.error(`wrote bench/RESULTS.md in ${((performance.now() - started) / 1000).toFixed(1)} s`);
