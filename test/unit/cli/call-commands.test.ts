// `softphone call` and `softphone answer` up to the point where they hand over to a CallRunner: help, every flag
// checked with a usage error that names it (exit 2), the checked arguments as the runner receives them, and the
// not-wired stand-in's event and exit code.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AnswerArgs, CallArgs } from '../../../main/cli/call-args';
import { type CallRunner, notWiredCallRunner } from '../../../main/cli/call-runner';
import { main } from '../../../main/cli/index';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return { stream, text: () => text };
}

/** A runner that keeps what it was given and exits 0. */
function recordingRunner() {
  const received: { call: CallArgs[]; answer: AnswerArgs[] } = { call: [], answer: [] };
  const runner: CallRunner = {
    call: async (args) => {
      received.call.push(args);
      return 0;
    },
    answer: async (args) => {
      received.answer.push(args);
      return 0;
    },
  };
  return { runner, received };
}

async function run(argv: string[], options: { runner?: CallRunner; env?: Record<string, string> } = {}) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(
    argv,
    { stdout: stdout.stream, stderr: stderr.stream, stdin: new PassThrough(), env: options.env ?? {} },
    { version: '1.2.3', ...(options.runner ? { callRunner: options.runner } : {}) },
  );
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

async function callArgsOf(argv: string[], env: Record<string, string> = {}): Promise<CallArgs> {
  const { runner, received } = recordingRunner();
  const result = await run(['call', ...argv], { runner, env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return received.call[0]!;
}

async function answerArgsOf(argv: string[], env: Record<string, string> = {}): Promise<AnswerArgs> {
  const { runner, received } = recordingRunner();
  const result = await run(['answer', ...argv], { runner, env });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return received.answer[0]!;
}

describe('help', () => {
  it('lists call and answer among the commands', async () => {
    const result = await run(['--help']);
    expect(result.stdout).toMatch(/^ {2}call +call a SIP URI/m);
    expect(result.stdout).toMatch(/^ {2}answer +wait for calls/m);
  });

  it('documents every flag of call, with the URI operand and the stdin controls', async () => {
    const result = await run(['call', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('usage: softphone call [options] URI');
    for (const flag of [
      '--aor URI',
      '--no-register',
      '--bind IP:PORT',
      '--play FILE.wav',
      '--record FILE.wav',
    ])
      expect(result.stdout).toContain(flag);
    for (const flag of [
      '--duration SECONDS',
      '--dtmf DIGITS',
      '--codecs LIST',
      '--password PW',
      '--proxy URI',
    ])
      expect(result.stdout).toContain(flag);
    expect(result.stdout).toContain('{"cmd":"dtmf","digits":"12#"}');
  });

  it('documents answer with --answer-after and --reject', async () => {
    const result = await run(['help', 'answer']);
    expect(result.stdout).toContain('usage: softphone answer [options]');
    expect(result.stdout).toMatch(/--answer-after SECONDS\|never +ring this long/);
    expect(result.stdout).toMatch(/--reject CODE +refuse every call with this status \(403, 404, 480, 486/);
  });

  it('suggests call and answer for near misses', async () => {
    expect((await run(['cal'])).stderr).toContain('did you mean "call"?');
    expect((await run(['anwser'])).stderr).toContain('did you mean "answer"?');
  });
});

describe('call: checked arguments', () => {
  it('calls an address directly with the defaults', async () => {
    const args = await callArgsOf(['sip:bob@192.0.2.7:5060']);
    expect(args).toMatchObject({
      target: { scheme: 'sip', user: 'bob', host: '192.0.2.7', port: 5060 },
      account: null,
      bind: undefined,
      play: undefined,
      record: undefined,
      durationMs: null,
      dtmf: null,
      codecs: ['opus', 'pcmu', 'pcma'],
      trace: false,
    });
  });

  it('reads every flag', async () => {
    const args = await callArgsOf([
      'sip:bob@example.test',
      '--aor',
      'sip:alice@example.test',
      '--password',
      'secret',
      '--proxy',
      'sip:10.0.0.1:5060',
      '--bind',
      '127.0.0.1:5070',
      '--play',
      'in.wav',
      '--record',
      'out.WAV',
      '--duration',
      '2.5',
      '--dtmf',
      '12ab#*',
      '--codecs',
      ' PCMA, opus',
      '--trace',
    ]);
    expect(args).toMatchObject({
      account: {
        aor: { user: 'alice', host: 'example.test' },
        password: 'secret',
        proxy: { host: '10.0.0.1', port: 5060 },
        register: true,
        transport: 'udp',
      },
      bind: { address: '127.0.0.1', port: 5070 },
      play: 'in.wav',
      record: 'out.WAV',
      durationMs: 2_500,
      dtmf: '12AB#*',
      codecs: ['pcma', 'opus'],
      trace: true,
    });
  });

  it('calls through an account that does not register, with or without a password', async () => {
    const args = await callArgsOf([
      'sip:bob@example.test',
      '--aor',
      'sip:alice@example.test',
      '--no-register',
    ]);
    expect(args.account).toMatchObject({ register: false, password: undefined });
    const withEnv = await callArgsOf(
      ['sip:bob@example.test', '--aor', 'sip:alice@example.test', '--no-register'],
      {
        SOFTPHONE_PASSWORD: 'pw',
      },
    );
    expect(withEnv.account?.password).toBe('pw');
  });

  it.each([
    [['call'], 'the URI to call is required'],
    [['call', 'sip:a@x', 'sip:b@x'], 'one URI to call, got also "sip:b@x"'],
    [
      ['call', 'mailto:bob@example.test'],
      'the URI to call must be a sip: or sips: URI, got mailto:bob@example.test',
    ],
    [['call', 'sip:bob@exa%mple'], 'the URI to call must be a sip: or sips: URI'],
    [['call', 'bob'], 'the URI to call must be a sip: or sips: URI'],
    [['call', 'sip:b@x', '--aor', 'alice@example.test'], '--aor must be a sip: or sips: URI'],
    [['call', 'sip:b@x', '--aor', 'sip:a@x'], '--password (or SOFTPHONE_PASSWORD) is required'],
    [['call', 'sip:b@x', '--no-register'], '--no-register needs --aor'],
    [['call', 'sip:b@x', '--password', 'pw'], '--password needs --aor'],
    [['call', 'sip:b@x', '--proxy', 'sip:p'], '--proxy needs --aor'],
    [
      ['call', 'sip:b@x', '--codecs', 'opus,g729'],
      '--codecs takes a comma-separated list of opus, pcmu, pcma, got "g729"',
    ],
    [['call', 'sip:b@x', '--codecs', 'opus,,pcmu'], 'got an empty name'],
    [['call', 'sip:b@x', '--codecs', 'pcmu,PCMU'], '--codecs lists pcmu twice'],
    [['call', 'sip:b@x', '--codecs='], 'got an empty name'],
    [
      ['call', 'sip:b@x', '--duration=-5'],
      '--duration must be a number of seconds above 0, at most 86400, got -5',
    ],
    [['call', 'sip:b@x', '--duration', '-5'], '--duration needs a value'],
    [['call', 'sip:b@x', '--duration', '0'], '--duration must be a number of seconds above 0'],
    [['call', 'sip:b@x', '--duration', '1e3'], '--duration must be a number of seconds'],
    [['call', 'sip:b@x', '--duration', '86401'], 'at most 86400, got 86401'],
    [['call', 'sip:b@x', '--dtmf', '12E'], '--dtmf takes 1 to 64 of the digits 0-9 * # A-D, got 12E'],
    [['call', 'sip:b@x', '--dtmf', '1'.repeat(65)], '--dtmf takes 1 to 64'],
    [['call', 'sip:b@x', '--play', 'tone.mp3'], '--play takes a .wav file, got tone.mp3'],
    [['call', 'sip:b@x', '--record='], '--record takes a .wav file, got nothing'],
    [['call', 'sip:b@x', '--play', 'a.wav', '--record', './a.wav'], '--play and --record name the same file'],
    [['call', 'sip:b@x', '--bind', 'localhost:5060'], '--bind takes an IP address'],
    [['call', 'sip:b@x', '--answer-after', '1'], 'unknown option --answer-after'],
    [['call', 'sip:b@x', '--durration', '1'], 'unknown option --durration; did you mean --duration?'],
  ])('%j: %s', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`softphone ${argv[0]}: `);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });
});

describe('answer: checked arguments', () => {
  it('answers at once on 127.0.0.1:5060 without an account by default', async () => {
    expect(await answerArgsOf([])).toMatchObject({
      account: null,
      bind: { address: '127.0.0.1', port: 5060 },
      answerAfterMs: 0,
      reject: null,
      codecs: ['opus', 'pcmu', 'pcma'],
    });
  });

  it('rings before answering, or only rings with "never"', async () => {
    expect((await answerArgsOf(['--answer-after', '1.5'])).answerAfterMs).toBe(1_500);
    expect((await answerArgsOf(['--answer-after', '0'])).answerAfterMs).toBe(0);
    expect((await answerArgsOf(['--answer-after', 'never'])).answerAfterMs).toBe('never');
  });

  it('rejects with the status given, and takes calls for an account on the address it routes from', async () => {
    expect((await answerArgsOf(['--reject', '603', '--bind', '127.0.0.1:5090'])).reject).toBe(603);
    const withAccount = await answerArgsOf([
      '--aor',
      'sip:bob@example.test',
      '--password',
      'pw',
      '--play',
      'x.wav',
    ]);
    expect(withAccount).toMatchObject({ account: { register: true }, bind: undefined, play: 'x.wav' });
  });

  it.each([
    [
      ['answer', '--answer-after', 'later'],
      '--answer-after must be a number of seconds from 0 to 86400 or "never", got later',
    ],
    [['answer', '--answer-after=-1'], 'got -1'],
    [['answer', '--answer-after', 'Never'], 'got Never'],
    [
      ['answer', '--reject', '200'],
      '--reject must be one of 403, 404, 480, 486, 488, 500, 503, 600, 603, 606, got 200',
    ],
    [['answer', '--reject', '401'], '--reject must be one of'],
    [['answer', '--reject', 'busy'], 'got busy'],
    [['answer', '--reject', '486', '--answer-after', '2'], '--answer-after and --reject exclude each other'],
    [['answer', '--no-register'], '--no-register needs --aor'],
    [['answer', '--codecs', 'speex'], '--codecs takes a comma-separated list'],
    [['answer', 'sip:bob@example.test'], 'unexpected argument "sip:bob@example.test"'],
    [['answer', '--duration', '5'], 'unknown option --duration'],
  ])('%j: %s', async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('the not-wired stand-in runner', () => {
  it.each([['call', 'sip:bob@192.0.2.7:5060'], ['answer']])(
    '%s says so in an error event and exits 1',
    async (...argv) => {
      const result = await run(argv, { runner: notWiredCallRunner });
      expect(result.code).toBe(1);
      const events = result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(events).toEqual([
        { event: 'error', reason: 'not-wired', detail: expect.stringContaining(`softphone ${argv[0]}`) },
      ]);
    },
  );
});
