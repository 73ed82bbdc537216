// bench/RESULTS.md is shared by all benchmarks: each owns one "## " section and replaces only that one.

export const resultsPreamble =
  '# Benchmark results\n\nWritten by `npm run bench` (bench/run.ts). Each section belongs to one benchmark, which replaces it on every run.\n';

function isFence(line: string): boolean {
  return line.trimStart().startsWith('```');
}

/** Returns `document` with the section titled `heading` replaced by `body`, or with the section appended if absent. */
export function replaceSection(document: string, heading: string, body: string): string {
  const title = `## ${heading}`;
  const block = [title, '', ...body.trim().split('\n'), ''];
  const lines = (document.trim() === '' ? resultsPreamble : document).replace(/\r\n/g, '\n').split('\n');

  let start = -1;
  let end = lines.length;
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (isFence(line)) inFence = !inFence;
    if (inFence) continue;
    if (start < 0) {
      if (line.trimEnd() === title) start = i;
    } else if (line.startsWith('## ') || line.startsWith('# ')) {
      end = i;
      break;
    }
  }

  if (start < 0) {
    while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
    lines.push('', ...block);
  } else {
    lines.splice(start, end - start, ...block);
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
