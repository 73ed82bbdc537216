// What a hostile presence body costs: each named attack from test/support/hostile-bodies.ts (billion laughs, external
// and parameter entities, deep nesting, 10^6 attributes, invalid UTF-8, UTF-16, 10 MiB, multipart bombs) through
// the reader that would meet it in a NOTIFY, timed per body (median of repeated runs), with the heap growth over
// the whole set. A refusal should cost no more than reading a good document of the same size.
import { loadavg } from 'node:os';
import type { Benchmark } from './benchmark';
import { parsePidf } from '../main/presence/pidf';
import { parseResourceListBody } from '../main/presence/rlmi';
import { HOSTILE_XML, hostileMultiparts } from '../test/support/hostile-bodies';
import { listBody, pidfOf } from '../test/support/list-bodies';
import { MiB, retainedBytes } from '../test/support/heap';

const REPEATS = 15;

function medianMs(run: () => unknown): number {
  // A few runs first, so the median times optimised code.
  for (let i = 0; i < 5; i++) run();
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    run();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function codeOf(result: { ok: boolean; error?: { code: string } }): string {
  return result.ok ? 'read' : (result.error?.code ?? '?');
}

export const benchmark: Benchmark = {
  section: 'Presence: hostile bodies',
  async run() {
    const rows: string[] = [];
    const good = listBody({
      version: 0,
      fullState: true,
      resources: Array.from({ length: 100 }, (_, i) => ({
        uri: `sip:buddy${i}@example.test`,
        pidf: pidfOf(`sip:buddy${i}@example.test`, 'open', 'away', `note ${i}`),
      })),
    });
    const goodBody = new TextEncoder().encode(good.body);
    const goodFirstMs = medianMs(() => parseResourceListBody(goodBody, good.contentType));
    const before = await retainedBytes();
    for (const attack of HOSTILE_XML) {
      const code = codeOf(parsePidf(attack.body));
      const ms = medianMs(() => parsePidf(attack.body));
      rows.push(
        `| PIDF: ${attack.name} | ${attack.body.byteLength.toLocaleString('en')} | ${code} | ${ms.toFixed(3)} |`,
      );
      console.error(`  ${attack.name}: ${ms.toFixed(3)} ms`);
    }
    for (const attack of hostileMultiparts()) {
      const code = codeOf(parseResourceListBody(attack.body, attack.contentType));
      const ms = medianMs(() => parseResourceListBody(attack.body, attack.contentType));
      rows.push(
        `| list: ${attack.name} | ${attack.body.byteLength.toLocaleString('en')} | ${code} | ${ms.toFixed(3)} |`,
      );
      console.error(`  ${attack.name}: ${ms.toFixed(3)} ms`);
    }
    const goodAfterMs = medianMs(() => parseResourceListBody(goodBody, good.contentType));
    rows.push(
      `| list: a good list of 100 buddies, before / after the hostile set | ${goodBody.byteLength.toLocaleString('en')} | read | ${goodFirstMs.toFixed(3)} / ${goodAfterMs.toFixed(3)} |`,
    );
    const after = await retainedBytes();
    return [
      `Method: each body parsed 5 times to warm up, then ${REPEATS} times timed, in one process (Node ${process.version}),`,
      'median shown; the body is built before timing. "refused as" is the error code the reader returns. Heap: bytes',
      `retained after full garbage collections, before and after the whole set. Load average at the end:`,
      `${loadavg()[0]!.toFixed(1)} (a shared machine: absolute times are high, the ratios are what matter).`,
      '',
      '| body | bytes | refused as | median ms |',
      '| --- | ---: | --- | ---: |',
      ...rows,
      '',
      `Heap retained after the whole set: ${((after - before) / MiB).toFixed(2)} MiB more than before.`,
    ].join('\n');
  },
};
