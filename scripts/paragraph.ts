// Messages for a terminal: one paragraph, wrapped at word boundaries so inserted values (versions, reasons, paths)
// never leave a ragged over-long line. A `code span` (a command to type) is never split across lines.
export function paragraph(sentences: readonly string[], width = 100): string {
  const words = sentences.join(' ').match(/(?:`[^`]*`|\S)+/g) ?? [];
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.join('\n');
}
