// printable() is what stands between a parser's reason (which may quote the sender's text) and a reason phrase
// or log line of ours: no control character gets through.
import { describe, expect, it } from 'vitest';
import { preview, printable } from '../../../../main/sip/message/result';

describe('printable', () => {
  it('turns every C0 control character and DEL into a space, and keeps everything else', () => {
    expect(printable('a\0b\r\nc\td\x7fe\x1b')).toBe('a b  c d e ');
    expect(printable('plain, "quoted" <sip:a@b> ü 大')).toBe('plain, "quoted" <sip:a@b> ü 大');
    expect(printable('')).toBe('');
  });

  it('keeps a preview of hostile text free of NUL and line breaks', () => {
    const hostile = `INVITE \0sip:x\r\nInjected: yes ${'z'.repeat(200)}`;
    const shown = printable(preview(hostile));
    expect(shown).not.toMatch(/[\0\r\n]/);
    expect(shown.length).toBeLessThanOrEqual(80);
  });
});
