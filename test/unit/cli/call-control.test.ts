// The stdin control of call and answer: each JSON line becomes a control or a control-error event with a code and
// the field at fault; `quit` ends the reading; nothing a line holds can throw.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  CONTROL_LINE_MAX,
  type CallControl,
  parseControlLine,
  readControlLines,
} from '../../../main/cli/call-control';

describe('parseControlLine', () => {
  it.each([
    ['{"cmd":"hold"}', { cmd: 'hold' }],
    ['  {"cmd":"resume"}  ', { cmd: 'resume' }],
    ['{"cmd":"mute"}', { cmd: 'mute' }],
    ['{"cmd":"unmute"}', { cmd: 'unmute' }],
    ['{"cmd":"hangup"}', { cmd: 'hangup' }],
    ['{"cmd":"dtmf","digits":"12ab#*"}', { cmd: 'dtmf', digits: '12AB#*' }],
    [
      '{"cmd":"transfer","target":"sip:carol@example.test"}',
      { cmd: 'transfer', target: 'sip:carol@example.test', replaces: null },
    ],
    [
      '{"cmd":"transfer","target":" sip:carol@example.test ","replaces":"abc@10.0.0.1;to-tag=t1;from-tag=f1"}',
      {
        cmd: 'transfer',
        target: 'sip:carol@example.test',
        replaces: { kind: 'dialog', value: 'abc@10.0.0.1;to-tag=t1;from-tag=f1' },
      },
    ],
    [
      '{"cmd":"transfer","target":"sip:c@x","replaces":"abc;from-tag=f;to-tag=t;early-only"}',
      {
        cmd: 'transfer',
        target: 'sip:c@x',
        replaces: { kind: 'dialog', value: 'abc;from-tag=f;to-tag=t;early-only' },
      },
    ],
    [
      '{"cmd":"transfer","target":"sip:c@x","replaces":null}',
      { cmd: 'transfer', target: 'sip:c@x', replaces: null },
    ],
    [
      '{"cmd":"transfer","target":"sip:c@x","replaces":false}',
      { cmd: 'transfer', target: 'sip:c@x', replaces: null },
    ],
    // An attended transfer to this run's consultation call: the one there is, or the one named by its event id.
    [
      '{"cmd":"transfer","replaces":true}',
      { cmd: 'transfer', target: null, replaces: { kind: 'consultation', callId: null } },
    ],
    [
      '{"cmd":"transfer","replaces":" call-Ab12 "}',
      { cmd: 'transfer', target: null, replaces: { kind: 'consultation', callId: 'call-Ab12' } },
    ],
    ['{"cmd":"call","target":" sip:carol@example.test "}', { cmd: 'call', target: 'sip:carol@example.test' }],
    ['{"cmd":"swap"}', { cmd: 'swap' }],
    [
      // Not a call id of ours (it has a dot): an other UA's Call-ID, which needs its tags.
      '{"cmd":"transfer","target":"sip:c@x","replaces":"call-1.2;to-tag=a;from-tag=b"}',
      {
        cmd: 'transfer',
        target: 'sip:c@x',
        replaces: { kind: 'dialog', value: 'call-1.2;to-tag=a;from-tag=b' },
      },
    ],
  ])('%s', (line, control) => {
    expect(parseControlLine(line)).toEqual({ kind: 'control', control });
  });

  it('reads quit and blank lines', () => {
    expect(parseControlLine('quit')).toEqual({ kind: 'quit' });
    expect(parseControlLine(' quit\r')).toEqual({ kind: 'quit' });
    expect(parseControlLine('')).toEqual({ kind: 'blank' });
    expect(parseControlLine('   ')).toEqual({ kind: 'blank' });
  });

  it.each([
    ['hold', 'invalid-json', null],
    ['{"cmd":"hold"', 'invalid-json', null],
    ['["hold"]', 'not-an-object', null],
    ['"hold"', 'not-an-object', null],
    ['null', 'not-an-object', null],
    ['{}', 'missing-field', 'cmd'],
    ['{"cmd":"park"}', 'unknown-command', 'cmd'],
    ['{"cmd":7}', 'unknown-command', 'cmd'],
    ['{"cmd":"hold","now":true}', 'unknown-field', 'now'],
    ['{"cmd":"dtmf","digit":"1"}', 'unknown-field', 'digit'],
    ['{"cmd":"dtmf"}', 'missing-field', 'digits'],
    ['{"cmd":"dtmf","digits":""}', 'invalid-field', 'digits'],
    ['{"cmd":"dtmf","digits":"12E"}', 'invalid-field', 'digits'],
    ['{"cmd":"dtmf","digits":12}', 'invalid-field', 'digits'],
    [`{"cmd":"dtmf","digits":"${'1'.repeat(65)}"}`, 'invalid-field', 'digits'],
    ['{"cmd":"transfer"}', 'missing-field', 'target'],
    ['{"cmd":"transfer","target":"carol"}', 'invalid-field', 'target'],
    ['{"cmd":"transfer","target":"sip:c@x\\r\\nVia: x"}', 'invalid-field', 'target'],
    ['{"cmd":"transfer","target":"sip:c@x","replaces":"abc"}', 'invalid-field', 'replaces'],
    ['{"cmd":"transfer","target":"sip:c@x","replaces":"abc;to-tag=t"}', 'invalid-field', 'replaces'],
    [
      '{"cmd":"transfer","target":"sip:c@x","replaces":"abc;to-tag=t;to-tag=u;from-tag=f"}',
      'invalid-field',
      'replaces',
    ],
    [
      '{"cmd":"transfer","target":"sip:c@x","replaces":"a b;to-tag=t;from-tag=f"}',
      'invalid-field',
      'replaces',
    ],
    [
      '{"cmd":"transfer","target":"sip:c@x","replaces":"abc;to-tag=;from-tag=f"}',
      'invalid-field',
      'replaces',
    ],
    ['{"cmd":"transfer","target":"sip:c@x","replaces":5}', 'invalid-field', 'replaces'],
    ['{"cmd":"transfer","target":"sip:c@x","replaces":true}', 'unknown-field', 'target'],
    ['{"cmd":"transfer","target":"sip:c@x","replaces":"call-1"}', 'unknown-field', 'target'],
    ['{"cmd":"transfer","replaces":"call-1.2;to-tag=a;from-tag=b"}', 'missing-field', 'target'],
    ['{"cmd":"call"}', 'missing-field', 'target'],
    ['{"cmd":"call","target":"carol"}', 'invalid-field', 'target'],
    ['{"cmd":"call","target":"sip:c@x","replaces":true}', 'unknown-field', 'replaces'],
    ['{"cmd":"swap","with":"call-1"}', 'unknown-field', 'with'],
  ])('refuses %s as %s', (line, error, field) => {
    const parsed = parseControlLine(line);
    expect(parsed).toMatchObject({ kind: 'error', error: { error, field } });
    if (parsed.kind === 'error') expect(parsed.error.detail.length).toBeGreaterThan(0);
  });

  it('suggests the command meant', () => {
    expect(parseControlLine('{"cmd":"hangpu"}')).toMatchObject({
      error: { error: 'unknown-command', detail: expect.stringContaining('did you mean "hangup"?') },
    });
  });

  it('refuses an over-long line without parsing it', () => {
    const line = `{"cmd":"dtmf","digits":"${'1'.repeat(CONTROL_LINE_MAX)}"}`;
    expect(parseControlLine(line)).toMatchObject({
      kind: 'error',
      error: { error: 'line-too-long', field: null },
    });
  });

  it('never throws on hostile input', () => {
    for (const line of [
      '{"__proto__":{"cmd":"hold"}}',
      '{"cmd":"constructor"}',
      '\u0000',
      '{"cmd":"toString"}',
    ])
      expect(() => parseControlLine(line)).not.toThrow();
    expect(parseControlLine('{"cmd":"toString"}')).toMatchObject({ error: { error: 'unknown-command' } });
    expect(parseControlLine('{"__proto__":{"cmd":"hold"}}')).toMatchObject({
      error: { error: 'missing-field' },
    });
  });
});

describe('readControlLines', () => {
  function setup() {
    const input = new PassThrough();
    const controls: CallControl[] = [];
    const events: Record<string, unknown>[] = [];
    let quits = 0;
    const stop = readControlLines(
      input,
      { event: (payload) => events.push(payload) },
      {
        onControl: (control) => controls.push(control),
        onQuit: () => quits++,
      },
    );
    return { input, controls, events, quits: () => quits, stop };
  }

  const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

  it('hands over each control, answers each bad line with a control-error event, and keeps reading', async () => {
    const { input, controls, events } = setup();
    input.write('{"cmd":"hold"}\n{"cmd":"dtmf","digits":"9x"}\n\n{"cmd":"resume"}\r\n');
    await flush();
    expect(controls).toEqual([{ cmd: 'hold' }, { cmd: 'resume' }]);
    expect(events).toEqual([
      { event: 'control-error', error: 'invalid-field', field: 'digits', detail: expect.any(String) },
    ]);
  });

  it('stops at quit and reads nothing after it', async () => {
    const { input, controls, quits } = setup();
    input.write('{"cmd":"mute"}\nquit\n{"cmd":"hangup"}\nquit\n');
    await flush();
    expect(controls).toEqual([{ cmd: 'mute' }]);
    expect(quits()).toBe(1);
  });

  it('reads nothing once stopped', async () => {
    const { input, controls, stop } = setup();
    stop();
    input.write('{"cmd":"hold"}\n');
    await flush();
    expect(controls).toEqual([]);
  });
});
