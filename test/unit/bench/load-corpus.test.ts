import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../../bench/load-corpus';

const head = 'MESSAGE sip:a@example.test SIP/2.0\r\nCall-ID: x\r\n';

describe('loadCorpus', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  function corpusOf(text: string): () => unknown {
    dir = mkdtempSync(join(tmpdir(), 'corpus-'));
    writeFileSync(join(dir, 'one.sip'), text);
    const from = dir;
    return () => loadCorpus(from);
  }

  it('loads the bench corpus, every message a CRLF wire image with an exact Content-Length', () => {
    const corpus = loadCorpus();
    expect(corpus.map((message) => message.name)).toHaveLength(10);
  });

  it('counts the body in bytes', () => {
    expect(corpusOf(`${head}Content-Length: 5\r\n\r\ncafé`)).not.toThrow();
  });

  it('refuses bare LF line endings', () => {
    expect(corpusOf(`${head}Content-Length: 0\n\r\n`)).toThrow(/bare LF/);
  });

  it('refuses a Content-Length that does not match the body', () => {
    expect(corpusOf(`${head}Content-Length: 3\r\n\r\nhello`)).toThrow(/Content-Length 3 but the body has 5/);
  });

  it('refuses a message without Content-Length', () => {
    expect(corpusOf(`${head}\r\n`)).toThrow(/no Content-Length/);
  });
});
