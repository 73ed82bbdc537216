import { describe, expect, it } from 'vitest';
import { eventFrame, parseClientFrame, resultFrame } from '../../../main/web/wire-protocol';

describe('parseClientFrame', () => {
  it('reads a command frame', () => {
    expect(parseClientFrame('{"type":"command","id":3,"name":"accounts.delete","args":["a1"]}')).toEqual({
      kind: 'command',
      id: 3,
      name: 'accounts.delete',
      args: ['a1'],
    });
  });

  it('treats absent args as none', () => {
    expect(parseClientFrame('{"type":"command","id":0,"name":"app.info"}')).toMatchObject({
      kind: 'command',
      args: [],
    });
  });

  it.each([
    ['not JSON', '{"type":'],
    ['an array', '[1,2]'],
    ['a string', '"command"'],
    ['null', 'null'],
    ['no id', '{"type":"command","name":"app.info","args":[]}'],
    ['a string id', '{"type":"command","id":"1","name":"app.info","args":[]}'],
    ['a negative id', '{"type":"command","id":-1,"name":"app.info","args":[]}'],
    ['a fractional id', '{"type":"command","id":1.5,"name":"app.info","args":[]}'],
    ['an unsafe id', '{"type":"command","id":9007199254740993,"name":"app.info","args":[]}'],
  ])('closes on %s', (_what, text) => {
    expect(parseClientFrame(text)).toMatchObject({ kind: 'close', code: 1008 });
  });

  it.each([
    ['another type', '{"type":"event","id":1,"name":"app.info","args":[]}', 'type'],
    ['a numeric name', '{"type":"command","id":1,"name":5,"args":[]}', 'name'],
    ['object args', '{"type":"command","id":1,"name":"app.info","args":{}}', 'args'],
  ])('answers an error for %s when the id is usable', (_what, text, word) => {
    const parsed = parseClientFrame(text);
    expect(parsed).toMatchObject({ kind: 'reject', id: 1, error: { code: 'invalid-argument' } });
    if (parsed.kind === 'reject') expect(parsed.error.message).toContain(word);
  });

  it('ignores a __proto__ key rather than polluting anything', () => {
    const parsed = parseClientFrame(
      '{"type":"command","id":1,"name":"app.info","args":[],"__proto__":{"x":1}}',
    );
    expect(parsed.kind).toBe('command');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});

describe('server frames', () => {
  it('shapes results and events', () => {
    expect(resultFrame(2, { ok: true, value: null })).toEqual({
      type: 'result',
      id: 2,
      result: { ok: true, value: null },
    });
    expect(eventFrame('dialpad.open', { uri: 'sip:bob@example.com' })).toEqual({
      type: 'event',
      name: 'dialpad.open',
      payload: { uri: 'sip:bob@example.com' },
    });
  });
});
