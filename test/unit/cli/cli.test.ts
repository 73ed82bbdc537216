// The `softphone` command in-process: help and version on stdout, "did you mean" for typos, argument checks, and
// `register` against an in-memory registrar on the LoopbackNetwork with a ManualClock.
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../../main/cli/index';
import type { StartUserAgent } from '../../../main/cli/user-agent-factory';
import { createResponse } from '../../../main/sip/message/builders';
import type { SipRequest } from '../../../main/sip/message/message';
import { parseMessage } from '../../../main/sip/message/parse';
import { serializeMessage } from '../../../main/sip/message/serialize';
import { UserAgent } from '../../../main/ua/user-agent';
import { LoopbackNetwork } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';

function capture() {
  const stream = new PassThrough();
  let text = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  return { stream, text: () => text };
}

interface Run {
  code: Promise<number>;
  stdout: () => string;
  stderr: () => string;
  stdin: PassThrough;
}

function run(
  argv: string[],
  options: { startUserAgent?: StartUserAgent; env?: Record<string, string> } = {},
): Run {
  const stdout = capture();
  const stderr = capture();
  const stdin = new PassThrough();
  const code = main(
    argv,
    { stdout: stdout.stream, stderr: stderr.stream, stdin, env: options.env ?? {} },
    { version: '9.8.7', ...(options.startUserAgent ? { startUserAgent: options.startUserAgent } : {}) },
  );
  return { code, stdout: stdout.text, stderr: stderr.text, stdin };
}

describe('help and version', () => {
  it.each([['--help'], ['-h'], ['help']])(
    '%s prints the command list on stdout and exits 0',
    async (flag) => {
      const result = run([flag]);
      expect(await result.code).toBe(0);
      expect(result.stdout()).toContain('usage: softphone <command> [options]');
      expect(result.stdout()).toMatch(/^ {2}register +register an account/m);
      expect(result.stdout()).toMatch(/^ {2}listen +/m);
      expect(result.stdout()).toMatch(/^ {2}parse +/m);
      expect(result.stderr()).toBe('');
    },
  );

  it('without a command prints the usage on stderr and exits 2', async () => {
    const result = run([]);
    expect(await result.code).toBe(2);
    expect(result.stderr()).toContain('usage: softphone <command>');
    expect(result.stdout()).toBe('');
  });

  it.each([[['register', '--help']], [['register', '-h']], [['help', 'register']]])(
    '%j prints the register help on stdout',
    async (argv) => {
      const result = run(argv);
      expect(await result.code).toBe(0);
      expect(result.stdout()).toContain('usage: softphone register --aor URI [options]');
      expect(result.stdout()).toMatch(/--password PW +digest password \(or SOFTPHONE_PASSWORD\)/);
      expect(result.stdout()).toMatch(/--keepalive-kind crlf\|options/);
      expect(result.stdout()).toContain('exits 1 after an event saying why');
    },
  );

  it('gives every command its own help', async () => {
    const listen = run(['listen', '--help']);
    expect(await listen.code).toBe(0);
    expect(listen.stdout()).toContain('usage: softphone listen [options]');
    const parse = run(['parse', '--help']);
    expect(await parse.code).toBe(0);
    expect(parse.stdout()).toContain('usage: softphone parse [options] [FILE|-]');
  });

  it.each([['--version'], ['-V']])('%s prints the version on stdout', async (flag) => {
    const result = run([flag]);
    expect(await result.code).toBe(0);
    expect(result.stdout()).toBe('softphone 9.8.7\n');
  });
});

describe('mistakes', () => {
  it.each([
    ['regster', 'register'],
    ['lisen', 'listen'],
    ['pasre', 'parse'],
  ])('suggests %s → %s', async (typo, meant) => {
    const result = run([typo]);
    expect(await result.code).toBe(2);
    expect(result.stderr()).toContain(`unknown command "${typo}"; did you mean "${meant}"?`);
    expect(result.stderr()).toContain('softphone --help');
  });

  it('suggests nothing for a word far from every command', async () => {
    const result = run(['frobnicate']);
    expect(await result.code).toBe(2);
    expect(result.stderr()).toContain('unknown command "frobnicate"\n');
  });

  it('suggests the closest option', async () => {
    const result = run(['register', '--aor', 'sip:a@example.test', '--pasword', 'x']);
    expect(await result.code).toBe(2);
    expect(result.stderr()).toBe(
      'softphone register: unknown option --pasword; did you mean --password? (see "softphone register --help")\n',
    );
  });

  it('suggests for --option=value and for swapped letters', async () => {
    const result = run(['listen', '--bnid=127.0.0.1:5060']);
    expect(await result.code).toBe(2);
    expect(result.stderr()).toContain('did you mean --bind?');
  });

  it('says which option lacks its value', async () => {
    const result = run(['register', '--aor']);
    expect(await result.code).toBe(2);
    expect(result.stderr()).toContain('--aor needs a value');
  });

  it('refuses operands a command does not take', async () => {
    const result = run(['listen', 'extra']);
    expect(await result.code).toBe(2);
    expect(result.stderr()).toContain('unexpected argument "extra"');
  });

  it.each([
    [['register'], '--aor is required'],
    [['register', '--aor', 'mailto:a@b'], '--aor must be a sip: or sips: URI'],
    [['register', '--aor', 'sip:a@example.test'], '--password (or SOFTPHONE_PASSWORD) is required'],
    [
      ['register', '--aor', 'sip:a@example.test', '--password', 'p', '--transport', 'sctp'],
      '--transport must be one of udp, tcp',
    ],
    [
      ['register', '--aor', 'sip:a@example.test', '--password', 'p', '--expires=-5'],
      '--expires must be a whole number',
    ],
    [['listen', '--bind', 'example.test:5060'], '--bind takes an IP address'],
  ])('%j: %s', async (argv, message) => {
    const result = run(argv);
    expect(await result.code).toBe(2);
    expect(result.stderr()).toContain(message);
  });
});

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

/** Checks an RFC 2617/7616 MD5 digest (qop=auth) against the one password this registrar knows. */
function digestIsRight(authorization: string | undefined, password: string): boolean {
  if (authorization === undefined) return false;
  const params = new Map(
    [...authorization.matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]+))/g)].map((m) => [m[1]!, m[2] ?? m[3]!]),
  );
  const ha1 = md5(`${params.get('username')}:${params.get('realm')}:${password}`);
  const ha2 = md5(`REGISTER:${params.get('uri')}`);
  const expected = md5(
    `${ha1}:${params.get('nonce')}:${params.get('nc')}:${params.get('cnonce')}:${params.get('qop')}:${ha2}`,
  );
  return params.get('response') === expected;
}

describe('register on the in-memory network', () => {
  const REGISTRAR = { address: '10.0.0.1', port: 5060 };
  const agents: UserAgent[] = [];
  afterEach(() => {
    for (const ua of agents.splice(0)) ua.transport.close();
  });

  /** A registrar that challenges every REGISTER and accepts a digest computed with the password `right` only. */
  async function setup() {
    const clock = new ManualClock();
    const random = new SeededRandom(3);
    const network = new LoopbackNetwork({ clock, random });
    const socket = await network.bindDatagram(REGISTRAR.address, REGISTRAR.port);
    const received: SipRequest[] = [];
    socket.onMessage((data, from) => {
      const parsed = parseMessage(data);
      if (!parsed.ok || parsed.message.kind !== 'request') return;
      const request = parsed.message;
      received.push(request);
      const response = digestIsRight(request.header('authorization'), 'right')
        ? createResponse(request, 200, {
            toTag: 'reg',
            headers: [['Contact', `${request.header('contact')};expires=600`]],
          })
        : createResponse(request, 401, {
            toTag: 'reg',
            headers: [
              ['WWW-Authenticate', 'Digest realm="example.test", nonce="n1", qop="auth", algorithm=MD5'],
            ],
          });
      socket.send(serializeMessage(response), from.port, from.address);
    });
    const startUserAgent: StartUserAgent = async (args, output) => {
      const ua = await UserAgent.start({
        sockets: network,
        clock,
        random,
        logger: output.logger,
        bindAddress: '10.0.0.2',
        port: args.bind?.port ?? 0,
        protocols: ['udp'],
      });
      agents.push(ua);
      return ua;
    };
    return { clock, startUserAgent, received };
  }

  /** Drives the manual clock until the command ends or `untilMs` of manual time have passed. */
  async function drive(clock: ManualClock, result: Run, untilMs: number): Promise<number | 'running'> {
    let done: number | undefined;
    void result.code.then((code) => (done = code));
    for (let elapsed = 0; elapsed <= untilMs && done === undefined; elapsed += 100) {
      await settle(clock);
      clock.advance(100);
    }
    await settle(clock);
    return done ?? 'running';
  }

  function events(result: Run): Record<string, unknown>[] {
    return result
      .stdout()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it('prints listening and each registration state, and exits 1 when the credentials are refused', async () => {
    const { clock, startUserAgent, received } = await setup();
    const result = run(
      [
        'register',
        '--aor',
        'sip:alice@example.test',
        '--proxy',
        'sip:10.0.0.1:5060',
        '--bind',
        '10.0.0.2:5070',
      ],
      { startUserAgent, env: { SOFTPHONE_PASSWORD: 'wrong' } },
    );
    expect(await drive(clock, result, 10_000)).toBe(1);
    const printed = events(result);
    expect(printed[0]).toEqual({ event: 'listening', address: '10.0.0.2', port: 5070 });
    const states = printed.slice(1).map((event) => event['state']);
    expect(states.slice(0, 2)).toEqual(['registering', 'failed']);
    expect(printed[2]).toMatchObject({
      event: 'registration',
      aor: 'sip:alice@example.test',
      state: 'failed',
      reason: 'bad-credentials',
      status: 401,
      retryInMs: null,
    });
    // One challenge answered once with credentials, then no retry.
    expect(received.map((request) => request.header('authorization') !== undefined)).toEqual([false, true]);
  });

  it('stays registered and exits 0 after "quit" on stdin', async () => {
    const { clock, startUserAgent } = await setup();
    const result = run(
      ['register', '--aor', 'sip:alice@example.test', '--password', 'right', '--proxy', 'sip:10.0.0.1:5060'],
      { startUserAgent },
    );
    expect(await drive(clock, result, 2_000)).toBe('running');
    expect(events(result).at(-1)).toMatchObject({
      event: 'registration',
      state: 'registered',
      expires: 600,
      status: 200,
    });
    result.stdin.write('quit\n');
    expect(await drive(clock, result, 10_000)).toBe(0);
    expect(events(result).at(-1)).toMatchObject({ state: 'unregistered' });
  });
});
