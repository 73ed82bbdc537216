// The contract between bench/run.ts and a benchmark module: export `benchmark` and it is found and run.

export interface Benchmark {
  /** Heading of the bench/RESULTS.md section this benchmark owns; the run replaces that section only. */
  readonly section: string;
  /** Measures, printing progress to stderr, and returns the section body as markdown. */
  run(): Promise<string>;
}

export function isBenchmark(value: unknown): value is Benchmark {
  return (
    typeof value === 'object' &&
    value !== null &&
    'section' in value &&
    typeof value.section === 'string' &&
    'run' in value &&
    typeof value.run === 'function'
  );
}
