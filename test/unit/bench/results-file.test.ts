import { describe, expect, it } from 'vitest';
import { replaceSection, resultsPreamble } from '../../../bench/results-file';

describe('replaceSection', () => {
  it('starts a new results file with the preamble and the section', () => {
    const out = replaceSection('', 'SIP parse throughput', 'table');
    expect(out).toBe(`${resultsPreamble}\n## SIP parse throughput\n\ntable\n`);
  });

  it('replaces only its own section and keeps the ones around it', () => {
    const doc =
      '# Results\n\n## Before\n\nkeep 1\n\n## SIP parse throughput\n\nold\nold too\n\n## After\n\nkeep 2\n';
    const out = replaceSection(doc, 'SIP parse throughput', 'new');
    expect(out).toBe(
      '# Results\n\n## Before\n\nkeep 1\n\n## SIP parse throughput\n\nnew\n\n## After\n\nkeep 2\n',
    );
  });

  it('appends a missing section at the end', () => {
    const out = replaceSection('# Results\n\n## Other\n\nx\n\n\n', 'Jitter', 'y');
    expect(out).toBe('# Results\n\n## Other\n\nx\n\n## Jitter\n\ny\n');
  });

  it('replaces a last section up to the end of the file', () => {
    const out = replaceSection('# R\n\n## A\n\nold\nlines\n', 'A', 'new');
    expect(out).toBe('# R\n\n## A\n\nnew\n');
  });

  it('ignores headings inside code fences', () => {
    const doc = '# R\n\n## A\n\n```\n## B\n```\nold\n\n## B\n\nb\n';
    expect(replaceSection(doc, 'A', 'new')).toBe('# R\n\n## A\n\nnew\n\n## B\n\nb\n');
    expect(replaceSection(doc, 'B', 'new')).toBe('# R\n\n## A\n\n```\n## B\n```\nold\n\n## B\n\nnew\n');
  });

  it('is stable when run twice with the same body', () => {
    const once = replaceSection('', 'A', 'body\n\nmore');
    expect(replaceSection(once, 'A', 'body\n\nmore')).toBe(once);
  });
});
