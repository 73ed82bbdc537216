// `softphone call` and `softphone answer` with the real CallRunner, each on its own user agent on the loopback
// network, a manual clock and a fake media worker: the events in the contract's words, --duration, --dtmf once
// connected, --reject, --answer-after never, stdin controls, WAV files on the call's audio port, the media side
// hanging up, and the exit codes.
import { PassThrough } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../main/cli/index';
import { systemCallRunner } from '../../../main/cli/system-call-runner';
import type { StartUserAgent } from '../../../main/cli/user-agent-factory';
import { FRAME_SAMPLES } from '../../../main/media/media-seams';
import type { WavSink } from '../../../main/media/wav/wav-writer';
import { UserAgent } from '../../../main/ua/user-agent';
import { parseReplaces, readReferTo } from '../../../main/ua/call/refer';
import { FakeMediaWorker } from '../../support/fake-media-worker';
import { LoopbackNetwork } from '../../support/loopback-network';
import { ManualClock } from '../../support/manual-clock';
import { SeededRandom } from '../../support/seeded-random';
import { settle } from '../../support/settle';

type Event = Record<string, unknown>;

interface Run {
  readonly code: Promise<number>;
  readonly stdin: PassThrough;
  readonly worker: FakeMediaWorker;
  readonly recordings: Map<string, Uint8Array[]>;
  /** Delivers SIGINT/SIGTERM as the process would. */
  signal(): void;
  events(): Event[];
  stderr(): string;
  done(): number | undefined;
}

const agents: UserAgent[] = [];

// The command loads these lazily; loaded here once, so no test's manual clock runs ahead of a module load.
beforeAll(async () => {
  await Promise.all([import('../../../main/cli/call-args'), import('../../../main/cli/user-agent-factory')]);
});
const workers: FakeMediaWorker[] = [];
afterEach(() => {
  for (const ua of agents.splice(0)) {
    ua.transactions.shutdown();
    ua.transport.close();
  }
  for (const worker of workers.splice(0)) worker.close();
});

function world() {
  const clock = new ManualClock();
  const random = new SeededRandom(11);
  const network = new LoopbackNetwork({ clock, random: new SeededRandom(12) });

  /** Starts `softphone ARGV` on its own address; its worker, stdin and output are the run's. */
  function start(address: string, argv: string[]): Run {
    const worker = new FakeMediaWorker();
    workers.push(worker);
    const startUserAgent: StartUserAgent = async (args, output) => {
      const ua = await UserAgent.start({
        sockets: network,
        clock,
        random,
        logger: output.logger,
        bindAddress: address,
        port: args.bind?.port ?? 5060,
        protocols: ['udp'],
      });
      agents.push(ua);
      return ua;
    };
    const recordings = new Map<string, Uint8Array[]>();
    const openRecording = (path: string): WavSink => {
      const chunks: Uint8Array[] = [];
      recordings.set(path, chunks);
      return {
        write: (bytes) => {
          chunks.push(bytes.slice());
          return Promise.resolve();
        },
        close: () => Promise.resolve(),
      };
    };
    const signalHandlers: Array<() => void> = [];
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    const runner = systemCallRunner({
      startUserAgent,
      clock,
      random,
      createMediaWorker: () => worker,
      onSignal: (handler) => {
        signalHandlers.push(handler);
        return () => signalHandlers.splice(signalHandlers.indexOf(handler), 1);
      },
      openRecording,
    });
    let exit: number | undefined;
    const code = main(argv, { stdout, stderr, stdin, env: {} }, { version: 't', callRunner: runner });
    void code.then((value) => (exit = value));
    return {
      code,
      stdin,
      worker,
      recordings,
      signal: () => {
        for (const handler of [...signalHandlers]) handler();
      },
      events: () =>
        out
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as Event),
      stderr: () => err,
      done: () => exit,
    };
  }

  /** Moves the manual clock in 100 ms steps until `until` holds or `maxMs` passed; true when it held. */
  async function drive(until: () => boolean, maxMs = 60_000): Promise<boolean> {
    for (let elapsed = 0; elapsed <= maxMs; elapsed += 100) {
      await settle(clock);
      if (until()) return true;
      // File reads and MessagePort deliveries run on real time: let them catch up before time moves on.
      await new Promise((resolve) => setTimeout(resolve, 1));
      clock.advance(100);
    }
    await settle(clock);
    return until();
  }

  return { clock, network, start, drive };
}

const BOB = '10.0.0.2';
const ALICE = '10.0.0.1';
const BOB_URI = `sip:bob@${BOB}:5060`;
const CAROL = '10.0.0.3';
const CAROL_URI = `sip:carol@${CAROL}:5060`;

/** The call ids a run's events name, in the order they first appear. */
function callIds(run: Run): string[] {
  const ids: string[] = [];
  for (const event of run.events())
    if (event['event'] === 'call' && typeof event['callId'] === 'string' && !ids.includes(event['callId']))
      ids.push(event['callId']);
  return ids;
}

function callIdOf(run: Run, index: number): string {
  return callIds(run)[index]!;
}

function stateOf(run: Run, callId: string): string | undefined {
  return run.events().findLast((event) => event['event'] === 'call' && event['callId'] === callId)?.[
    'state'
  ] as string | undefined;
}

function endOf(run: Run, callId: string): Event | undefined {
  return run
    .events()
    .findLast(
      (event) => event['event'] === 'call' && event['callId'] === callId && event['state'] === 'ended',
    )?.['end'] as Event | undefined;
}

function states(run: Run): string[] {
  return run
    .events()
    .filter((event) => event['event'] === 'call')
    .map((event) => String(event['state']));
}

function lastEnd(run: Run): Event | undefined {
  return run.events().findLast((event) => event['event'] === 'call' && event['state'] === 'ended')?.[
    'end'
  ] as Event | undefined;
}

function has(run: Run, predicate: (event: Event) => boolean): boolean {
  return run.events().some(predicate);
}

async function quit(w: ReturnType<typeof world>, run: Run): Promise<number> {
  run.stdin.write('quit\n');
  expect(await w.drive(() => run.done() !== undefined)).toBe(true);
  return run.done()!;
}

describe('softphone call and softphone answer', () => {
  it('call → answer by address: states in the contract words, --duration hangs up, both exit 0', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`, '--codecs', 'pcmu']);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, ['call', BOB_URI, '--duration', '3', '--codecs', 'pcmu,pcma']);
    expect(await w.drive(() => alice.done() !== undefined)).toBe(true);

    expect(alice.done()).toBe(0);
    expect(states(alice)).toEqual(['dialing', 'ringing', 'connected', 'ended']);
    expect(lastEnd(alice)).toEqual({ by: 'local', reason: 'hangup', status: null, detail: null });
    expect(alice.events().find((event) => event['event'] === 'media')).toMatchObject({
      codec: 'pcmu',
      payloadType: 0,
      send: true,
      receive: true,
    });
    expect(states(bob)).toEqual(['incoming', 'connecting', 'connected', 'ended']);
    expect(lastEnd(bob)).toMatchObject({ by: 'remote', reason: 'hangup' });
    // Each side's media went through its worker: bound, started once, stopped once.
    for (const run of [alice, bob]) {
      expect(run.worker.of('allocate')).toHaveLength(1);
      expect(run.worker.of('start')).toHaveLength(1);
      expect(run.worker.of('stop')).toHaveLength(1);
    }
    expect(await quit(w, bob)).toBe(0);
  });

  it('hangs up after --duration measured from the answer, not from the dial', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`, '--answer-after', '4']);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, ['call', BOB_URI, '--duration', '2']);
    await w.drive(() => states(alice).includes('connected'));
    const connectedAt = w.clock.now();
    await w.drive(() => alice.done() !== undefined);
    expect(w.clock.now() - connectedAt).toBeGreaterThanOrEqual(2_000);
    expect(w.clock.now() - connectedAt).toBeLessThan(2_500);
    expect(alice.done()).toBe(0);
    await quit(w, bob);
  });

  it('sends --dtmf as RFC 4733 once connected, and reports digits the far end sends', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`]);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, ['call', BOB_URI, '--dtmf', '12#']);
    await w.drive(() => has(alice, (event) => event['event'] === 'dtmf-sent'));
    const callId = alice.worker.callIds[0]!;
    expect(alice.worker.of('dtmf')).toEqual([{ kind: 'dtmf', callId, digits: '12#' }]);
    expect(alice.events().find((event) => event['event'] === 'dtmf-sent')).toMatchObject({ via: 'rfc4733' });
    // The order: the digits follow the stream's start.
    const kinds = alice.worker.commands.map((command) => command.kind);
    expect(kinds.indexOf('dtmf')).toBeGreaterThan(kinds.indexOf('start'));

    alice.worker.emit({ type: 'dtmf', callId, digit: { digit: '7', durationMs: 120 } });
    expect(alice.events().find((event) => event['event'] === 'dtmf')).toMatchObject({
      via: 'rfc4733',
      digit: '7',
      durationMs: 120,
    });
    alice.stdin.write('{"cmd":"hangup"}\n');
    await w.drive(() => alice.done() !== undefined);
    expect(alice.done()).toBe(0);
    await quit(w, bob);
  });

  it('reports a quality event per worker report, in the contract shape with a MOS', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`]);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, ['call', BOB_URI]);
    await w.drive(() => states(alice).includes('connected'));
    const callId = alice.worker.callIds[0]!;
    alice.worker.emit({
      type: 'quality',
      callId,
      quality: {
        codec: 'opus',
        sendBitrate: 32_000,
        receiveBitrate: 31_000,
        sent: { packets: 100, bytes: 8_000 },
        received: {
          packets: 98,
          bytes: 7_840,
          discarded: 0,
          cumulativeLost: 2,
          fractionLost: 0.02,
          jitterMs: 3,
        },
        roundTripMs: 12,
        jitterBuffer: {
          delayMs: 40,
          targetDelayMs: 60,
          received: 98,
          duplicates: 0,
          late: 1,
          lost: 2,
          concealed: 1,
          recovered: 1,
        },
      },
      counters: { inputDropped: 0, inputMalformed: 0, inputUnderruns: 0, lateTicks: 0, skippedTicks: 0 },
    });
    const quality = alice.events().find((event) => event['event'] === 'quality');
    expect(quality).toMatchObject({
      codec: 'opus',
      lossPercent: 2,
      roundTripMs: 12,
      jitterBufferDelayMs: 40,
      jitterBufferTargetMs: 60,
      lateFrames: 1,
      concealedFrames: 1,
      recoveredFrames: 1,
    });
    expect(quality!['mos']).toBeGreaterThan(3);
    alice.stdin.write('quit\n');
    await w.drive(() => alice.done() !== undefined);
    expect(alice.done()).toBe(0);
    await quit(w, bob);
  });

  it('--reject 486: the caller ends busy with the status and exits 1', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`, '--reject', '486']);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, ['call', BOB_URI]);
    await w.drive(() => alice.done() !== undefined);
    expect(alice.done()).toBe(1);
    expect(lastEnd(alice)).toMatchObject({ by: 'remote', reason: 'busy', status: 486 });
    expect(lastEnd(bob)).toMatchObject({ by: 'local', reason: 'rejected' });
    expect(alice.worker.of('start')).toHaveLength(0);
    await quit(w, bob);
  });

  it('--reject 603 declines', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`, '--reject', '603']);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, ['call', BOB_URI]);
    await w.drive(() => alice.done() !== undefined);
    expect(lastEnd(alice)).toMatchObject({ reason: 'declined', status: 603 });
    await quit(w, bob);
  });

  it('quit while it rings (--answer-after never) cancels: caller cancelled and exit 1, callee missed', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`, '--answer-after', 'never']);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, ['call', BOB_URI]);
    await w.drive(() => states(alice).includes('ringing'));
    alice.stdin.write('quit\n');
    await w.drive(() => alice.done() !== undefined);
    expect(alice.done()).toBe(1);
    expect(lastEnd(alice)).toMatchObject({ by: 'local', reason: 'cancelled' });
    await w.drive(() => states(bob).includes('ended'));
    expect(lastEnd(bob)).toMatchObject({ by: 'remote', reason: 'missed' });
    await quit(w, bob);
  });

  it('stdin controls: hold and resume become worker updates; a bad line is a control-error, not an exit', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`]);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, ['call', BOB_URI]);
    await w.drive(() => states(alice).includes('connected'));
    alice.stdin.write('{"cmd":"hold"}\n');
    await w.drive(() => states(alice).includes('on-hold'));
    expect(alice.worker.of('update').at(-1)!.params).toMatchObject({ send: false, receive: false });
    await w.drive(() => states(bob).includes('held-by-remote'));
    alice.stdin.write('{"cmd":"resume"}\n');
    await w.drive(() => states(alice).at(-1) === 'connected');
    expect(alice.worker.of('update').at(-1)!.params).toMatchObject({ send: true, receive: true });
    alice.stdin.write('{"cmd":"hodl"}\n');
    alice.stdin.write('{"cmd":"mute"}\n');
    await w.drive(() => has(alice, (event) => event['event'] === 'muted'));
    expect(alice.events().find((event) => event['event'] === 'control-error')).toMatchObject({
      error: 'unknown-command',
    });
    expect(alice.worker.of('mute')).toHaveLength(1);
    expect(alice.done()).toBeUndefined();
    bob.stdin.write('{"cmd":"hangup"}\n');
    await w.drive(() => alice.done() !== undefined);
    expect(alice.done()).toBe(0);
    expect(lastEnd(alice)).toMatchObject({ by: 'remote', reason: 'hangup' });
    await quit(w, bob);
  });

  it('no RTP for the inactivity timeout hangs up with media-timeout and exits 1', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`]);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, ['call', BOB_URI]);
    await w.drive(() => states(alice).includes('connected'));
    alice.worker.emit({ type: 'inactive', callId: alice.worker.callIds[0]!, silentMs: 30_000 });
    await w.drive(() => alice.done() !== undefined);
    expect(alice.done()).toBe(1);
    expect(lastEnd(alice)).toMatchObject({
      by: 'error',
      reason: 'media-timeout',
      status: null,
    });
    expect(lastEnd(bob)).toMatchObject({ by: 'remote', reason: 'hangup' });
    await quit(w, bob);
  });

  it('plays --play into the call and records what it hears to --record, both from before the stream starts', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'call-runner-'));
    try {
      const playPath = join(dir, 'one-second.wav');
      await writeFile(playPath, wavFile(new Int16Array(48_000).fill(1_000)));
      const w = world();
      const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`, '--answer-after', 'never']);
      await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
      const alice = w.start(ALICE, ['call', BOB_URI, '--play', playPath, '--record', join(dir, 'heard.wav')]);
      await w.drive(() => states(alice).includes('ringing'));
      const callId = alice.worker.callIds[0]!;
      // Before the answer: the player's lead is queued in the worker already, nothing started yet.
      await waitReal(() => alice.worker.micFrames(callId).length === 10);
      expect(alice.worker.of('start')).toHaveLength(0);
      expect(alice.worker.micFrames(callId)[0]![0]).toBe(1_000);
      // The recorder listens: each speaker frame the worker posts is written.
      await waitReal(() => alice.worker.speak(callId, new Int16Array(FRAME_SAMPLES).fill(5)));
      await waitReal(() => alice.worker.micFrames(callId).length === 11);
      alice.stdin.write('quit\n');
      await w.drive(() => alice.done() !== undefined);
      const written = alice.recordings.get(join(dir, 'heard.wav'))!;
      const bytes = written.reduce((sum, chunk) => sum + chunk.length, 0);
      // The header (44 bytes, written twice: open sizes, then exact) and one frame of 16-bit samples.
      expect(bytes).toBe(44 + FRAME_SAMPLES * 2 + 44);
      expect(alice.events().find((event) => event['event'] === 'recorded')).toMatchObject({
        samples: FRAME_SAMPLES,
      });
      await quit(w, bob);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a --play file that cannot be read is an error event and exit 1, before any call', async () => {
    const w = world();
    const alice = w.start(ALICE, ['call', BOB_URI, '--play', '/nonexistent/missing.wav']);
    await w.drive(() => alice.done() !== undefined);
    expect(alice.done()).toBe(1);
    expect(alice.events()).toEqual([
      expect.objectContaining({ event: 'error', reason: 'play-file', file: '/nonexistent/missing.wav' }),
    ]);
  });

  it('Ctrl-C (SIGINT) hangs the call up with a BYE and exits 0; on answer it ends the run', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`]);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, ['call', BOB_URI]);
    await w.drive(() => states(alice).includes('connected'));
    alice.signal();
    await w.drive(() => alice.done() !== undefined);
    expect(alice.done()).toBe(0);
    expect(lastEnd(alice)).toMatchObject({ by: 'local', reason: 'hangup' });
    bob.signal();
    await w.drive(() => bob.done() !== undefined);
    expect(bob.done()).toBe(0);
  });

  it('attended transfer to a dialog another UA holds: the REFER carries the Replaces given on stdin', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`]);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, ['call', BOB_URI]);
    await w.drive(() => states(alice).includes('connected'));
    alice.stdin.write(
      '{"cmd":"transfer","target":"sip:carol@10.0.0.3","replaces":"abc@10.0.0.3;to-tag=1;from-tag=2"}\n',
    );
    await w.drive(() => w.network.trace.some((entry) => entry.text.startsWith('REFER ')));
    const refer = w.network.trace.find((entry) => entry.text.startsWith('REFER '))!;
    expect(readReferTo(/\r\nRefer-To: ([^\r]*)/.exec(refer.text)![1])).toMatchObject({
      target: { user: 'carol', host: '10.0.0.3' },
      replaces: 'abc@10.0.0.3;to-tag=1;from-tag=2',
    });
    await w.drive(() => has(alice, (event) => event['event'] === 'transfer'));
    expect(alice.events().find((event) => event['event'] === 'transfer')).toMatchObject({
      role: 'transferor',
      state: 'accepted',
    });
    expect(has(alice, (event) => event['event'] === 'control-refused')).toBe(false);
    alice.stdin.write('quit\n');
    await w.drive(() => alice.done() !== undefined);
    await quit(w, bob);
  });

  it('consultation: call places a second call and holds the first, swap moves between them, events name the call', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`]);
    const carol = w.start(CAROL, ['answer', '--bind', `${CAROL}:5060`]);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    await w.drive(() => has(carol, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, ['call', BOB_URI]);
    await w.drive(() => states(alice).includes('connected'));
    const first = callIdOf(alice, 0);
    alice.stdin.write(`{"cmd":"call","target":"${CAROL_URI}"}\n`);
    await w.drive(() => callIds(alice).length === 2 && stateOf(alice, callIds(alice)[1]!) === 'connected');
    const consultation = callIds(alice)[1]!;
    expect(stateOf(alice, first)).toBe('on-hold');
    expect(alice.events().filter((event) => event['event'] === 'current')).toEqual([
      { event: 'current', callId: consultation },
    ]);
    // A third call is one too many.
    alice.stdin.write('{"cmd":"call","target":"sip:dave@10.0.0.4:5060"}\n');
    await w.drive(() => has(alice, (event) => event['event'] === 'control-refused'));
    expect(alice.events().find((event) => event['event'] === 'control-refused')).toMatchObject({
      cmd: 'call',
    });
    alice.stdin.write('{"cmd":"swap"}\n');
    await w.drive(() => stateOf(alice, first) === 'connected' && stateOf(alice, consultation) === 'on-hold');
    expect(
      alice
        .events()
        .filter((event) => event['event'] === 'current')
        .at(-1),
    ).toEqual({
      event: 'current',
      callId: first,
    });
    // hangup acts on the current call only; the held consultation becomes current, still held.
    alice.stdin.write('{"cmd":"hangup"}\n');
    await w.drive(() => stateOf(alice, first) === 'ended');
    expect(stateOf(alice, consultation)).toBe('on-hold');
    expect(
      alice
        .events()
        .filter((event) => event['event'] === 'current')
        .at(-1),
    ).toEqual({
      event: 'current',
      callId: consultation,
    });
    expect(alice.done()).toBeUndefined();
    alice.stdin.write('{"cmd":"resume"}\n');
    await w.drive(() => stateOf(alice, consultation) === 'connected');
    alice.stdin.write('{"cmd":"hangup"}\n');
    await w.drive(() => alice.done() !== undefined);
    expect(alice.done()).toBe(0);
    await quit(w, bob);
    await quit(w, carol);
  });

  it('hanging up the consultation makes the held first call current again, still held, until resumed', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`]);
    const carol = w.start(CAROL, ['answer', '--bind', `${CAROL}:5060`]);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    await w.drive(() => has(carol, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, ['call', BOB_URI]);
    await w.drive(() => states(alice).includes('connected'));
    const first = callIdOf(alice, 0);
    alice.stdin.write(`{"cmd":"call","target":"${CAROL_URI}"}\n`);
    await w.drive(() => callIds(alice).length === 2 && stateOf(alice, callIds(alice)[1]!) === 'connected');
    const consultation = callIds(alice)[1]!;
    alice.stdin.write('{"cmd":"hangup"}\n');
    await w.drive(() => stateOf(alice, consultation) === 'ended');
    expect(endOf(alice, consultation)).toMatchObject({ by: 'local', reason: 'hangup' });
    expect(alice.events().filter((event) => event['event'] === 'current')).toEqual([
      { event: 'current', callId: consultation },
      { event: 'current', callId: first },
    ]);
    expect(stateOf(alice, first)).toBe('on-hold');
    alice.stdin.write('{"cmd":"resume"}\n');
    await w.drive(() => stateOf(alice, first) === 'connected');
    alice.stdin.write('{"cmd":"swap"}\n');
    await w.drive(() => has(alice, (event) => event['event'] === 'control-refused'));
    expect(alice.events().find((event) => event['event'] === 'control-refused')).toMatchObject({
      cmd: 'swap',
      detail: 'there is no other call',
    });
    alice.stdin.write('quit\n');
    await w.drive(() => alice.done() !== undefined);
    expect(alice.done()).toBe(0);
    await quit(w, bob);
    await quit(w, carol);
  });

  it('attended transfer from stdin: bob is sent to carol with Replaces, carol swaps calls, both of ours end transferred', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`]);
    const carol = w.start(CAROL, ['answer', '--bind', `${CAROL}:5060`]);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    await w.drive(() => has(carol, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, ['call', BOB_URI]);
    await w.drive(() => states(alice).includes('connected'));
    const first = callIdOf(alice, 0);
    alice.stdin.write('{"cmd":"transfer","replaces":true}\n');
    await w.drive(() => has(alice, (event) => event['event'] === 'control-refused'));
    expect(alice.events().find((event) => event['event'] === 'control-refused')).toMatchObject({
      cmd: 'transfer',
      detail: expect.stringContaining('no consultation call'),
    });
    alice.stdin.write(`{"cmd":"call","target":"${CAROL_URI}"}\n`);
    await w.drive(() => callIds(alice).length === 2 && stateOf(alice, callIds(alice)[1]!) === 'connected');
    const consultation = callIds(alice)[1]!;
    alice.stdin.write('{"cmd":"transfer","replaces":true}\n');
    await w.drive(() => alice.done() !== undefined);
    // The REFER went in the first call and named the consultation dialog as carol sees it.
    const refer = w.network.trace.find((entry) => entry.text.startsWith('REFER '))!;
    const replaces = parseReplaces(readReferTo(/\r\nRefer-To: ([^\r]*)/.exec(refer.text)![1])?.replaces);
    const consultationSipId = alice
      .events()
      .find((event) => event['callId'] === consultation && event['sipCallId'])?.['sipCallId'];
    expect(consultationSipId).toEqual(expect.any(String));
    expect(replaces?.callId).toBe(consultationSipId);
    const transfer = alice.events().filter((event) => event['event'] === 'transfer');
    expect(transfer.at(-1)).toMatchObject({
      callId: first,
      role: 'transferor',
      state: 'succeeded',
      consultationCallId: consultation,
    });
    expect(endOf(alice, first)).toMatchObject({ by: 'local', reason: 'transferred' });
    // carol took bob's INVITE with Replaces and ended our consultation dialog herself (RFC 3891 §3).
    expect(endOf(alice, consultation)).toMatchObject({ by: 'remote' });
    expect(alice.done()).toBe(0);
    // bob and carol now talk; carol's run follows the call that replaced the one from alice.
    expect(has(carol, (event) => event['event'] === 'replaced')).toBe(true);
    expect(has(bob, (event) => event['event'] === 'transfer' && event['role'] === 'transferee')).toBe(true);
    const carolCalls = callIds(carol);
    expect(stateOf(carol, carolCalls.at(-1)!)).toBe('connected');
    await quit(w, bob);
    await quit(w, carol);
  });

  it('blind transfer: bob refers alice to carol, alice follows the new call, bob ends transferred', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`]);
    const carol = w.start('10.0.0.3', ['answer', '--bind', '10.0.0.3:5060']);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    await w.drive(() => has(carol, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, ['call', BOB_URI]);
    await w.drive(() => states(alice).includes('connected'));
    bob.stdin.write('{"cmd":"transfer","target":"sip:carol@10.0.0.3:5060"}\n');
    await w.drive(() => states(carol).includes('connected'));
    await w.drive(() => lastEnd(bob) !== undefined);
    expect(lastEnd(bob)).toMatchObject({ reason: 'transferred' });
    expect(alice.events().find((event) => event['event'] === 'transfer')).toMatchObject({
      role: 'transferee',
    });
    expect(alice.done()).toBeUndefined();
    carol.stdin.write('{"cmd":"hangup"}\n');
    await w.drive(() => alice.done() !== undefined);
    expect(alice.done()).toBe(0);
    expect(lastEnd(alice)).toMatchObject({ by: 'remote', reason: 'hangup' });
    // Both of alice's calls had media from her worker.
    expect(alice.worker.of('allocate')).toHaveLength(2);
    await quit(w, bob);
    await quit(w, carol);
  });

  it('quit while the account is still registering ends the run before any call, exit 1', async () => {
    const w = world();
    // Nobody answers at the registrar's address: the REGISTER retransmits until quit.
    const alice = w.start(ALICE, ['call', BOB_URI, '--aor', 'sip:alice@10.0.0.9', '--password', 'pw']);
    await w.drive(() => has(alice, (event) => event['event'] === 'registration'));
    alice.stdin.write('quit\n');
    await w.drive(() => alice.done() !== undefined);
    expect(alice.done()).toBe(1);
    expect(alice.events().find((event) => event['event'] === 'error')).toMatchObject({ reason: 'quit' });
    expect(states(alice)).toEqual([]);
    expect(alice.worker.of('allocate')).toHaveLength(0);
  });

  it('--aor with --no-register calls from the account without a REGISTER', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`]);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, [
      'call',
      BOB_URI,
      '--aor',
      'sip:alice@example.test',
      '--no-register',
      '--duration',
      '1',
    ]);
    await w.drive(() => alice.done() !== undefined);
    expect(alice.done()).toBe(0);
    expect(alice.events().filter((event) => event['event'] === 'registration')).toEqual([
      { event: 'registration', aor: 'sip:alice@example.test', state: 'not-registering' },
    ]);
    expect(alice.events().find((event) => event['event'] === 'call')).toMatchObject({
      accountId: expect.any(String),
    });
    // bob sees the account's identity as the caller.
    expect(bob.events().find((event) => event['event'] === 'call')).toMatchObject({
      peer: 'sip:alice@example.test',
    });
    await quit(w, bob);
  });

  it('answer takes one call at a time: a second caller gets 486 while the first is up', async () => {
    const w = world();
    const bob = w.start(BOB, ['answer', '--bind', `${BOB}:5060`]);
    await w.drive(() => has(bob, (event) => event['event'] === 'listening'));
    const alice = w.start(ALICE, ['call', BOB_URI]);
    await w.drive(() => states(alice).includes('connected'));
    const carol = w.start('10.0.0.3', ['call', BOB_URI]);
    await w.drive(() => carol.done() !== undefined);
    expect(lastEnd(carol)).toMatchObject({ reason: 'busy', status: 486 });
    expect(has(bob, (event) => event['event'] === 'call-refused')).toBe(true);
    expect(alice.done()).toBeUndefined();
    alice.stdin.write('quit\n');
    await w.drive(() => alice.done() !== undefined);
    expect(alice.done()).toBe(0);
    await quit(w, bob);
  });
});

/** Waits on real time for MessagePort deliveries (they run on the event loop, not the manual clock). */
async function waitReal(condition: () => boolean): Promise<void> {
  for (let round = 0; round < 2_000; round++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('condition never held');
}

/** A 16-bit mono 48 kHz WAV file. */
function wavFile(samples: Int16Array): Uint8Array {
  const bytes = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(bytes.buffer);
  const text = (offset: number, value: string): void =>
    [...value].forEach((char, index) => view.setUint8(offset + index, char.charCodeAt(0)));
  text(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  text(8, 'WAVEfmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, 48_000, true);
  view.setUint32(28, 96_000, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  samples.forEach((sample, index) => view.setInt16(44 + index * 2, sample, true));
  return bytes;
}
