// baresip 1.0 as the far-end phone of the call interop tests: one process per phone, with a generated config
// directory, on loopback ports of its own. Its microphone is a WAV file (aufile), its speaker goes nowhere
// (aubridge), the sndfile filter records both directions of every call, and the test drives it through ctrl_tcp
// (netstring-framed JSON commands and events).
//
// What baresip 1.0 does here, measured (see test/interop/README.md for the whole list):
// - ctrl_tcp takes `{"command":"dial","params":"sip:bob@x","token":"7"}` framed as a netstring (`LEN:JSON,`) and
//   answers `{"response":true,"ok":true,"data":"...","token":"7"}`; events come on the same connection as
//   `{"event":true,"type":"CALL_ESTABLISHED","class":"call","accountaor":...,"peeruri":...,"id":...,"param":...}`.
// - Call commands exist only while a call does (`/help` lists hold, resume, sndcode, transfer ... then).
// - sndfile names its files `dump-YYYY-MM-DD-HH-MM-SS-{enc,dec}.wav` at the codec's rate and channels (8 kHz mono
//   for G.711, 48 kHz stereo for Opus); `dec` is what it received, and it starts at the first decoded frame.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireExecutable } from './peers';
import { freePort, freePortRun, LOOPBACK } from './ports';
import { endGroup, trackGroup, untrackGroup } from './processes';
import { readWavFile } from '../../support/audio/wav-files';
import type { PcmAudio } from '../../support/audio/wav';

export type BaresipCodec = 'opus' | 'pcmu' | 'pcma';

// The names baresip's account parameter `audio_codecs` matches (Opus as RFC 7587 writes it: stereo rtpmap).
const CODEC_SPECS: Record<BaresipCodec, string> = { opus: 'opus/48000/2', pcmu: 'pcmu', pcma: 'pcma' };

export interface BaresipAccount {
  /** The address of record, e.g. `sip:alice@example.test`; for calls by IP any `sip:user@127.0.0.1`. */
  readonly aor: string;
  /** The name in this phone's From header (letters, digits and spaces: it goes between quotes as it is). */
  readonly displayName?: string;
  /** Digest password (`auth_pass`); the user name is the AoR's user part unless `authUser` says otherwise. */
  readonly password?: string;
  readonly authUser?: string;
  /** Every request goes here (`outbound=`), e.g. Kamailio's `proxyUri()`; never resolved. */
  readonly outboundProxy?: string;
  /** REGISTER through the outbound proxy every `registerIntervalS` (default 600); false sets `regint=0`. */
  readonly register?: boolean;
  readonly registerIntervalS?: number;
  /** Offered and accepted codecs in order of preference. Default: baresip's own (PCMU, PCMA, Opus). */
  readonly codecs?: readonly BaresipCodec[];
  /** `auto` answers every call at once; `manual` rings until `answer()`. Default manual. */
  readonly answerMode?: 'auto' | 'manual';
  /** `pubint`: PUBLISH its presence (open, or closed after `presence_offline`) every this many seconds. */
  readonly publishIntervalS?: number;
}

export interface BaresipOptions {
  readonly account: BaresipAccount;
  /**
   * The microphone: a 16-bit WAV file of `sourceRate` Hz and `sourceChannels` channels (aufile does not convert),
   * longer than any call it plays into (aufile stops at its end).
   */
  readonly source: string;
  /** `ausrc_srate`, default 48000. */
  readonly sourceRate?: number;
  /** `ausrc_channels`, default 1. */
  readonly sourceChannels?: number;
  /** `jitter_buffer_delay` in frames (not ms): default [1, 3], i.e. 20–60 ms. */
  readonly jitterBufferFrames?: readonly [number, number];
  /** `-s`: SIP trace into the log. Default false. */
  readonly sipTrace?: boolean;
  /** Loads the `presence` module (PUBLISH with the account's `pubint`, commands presence_online/_offline). */
  readonly presence?: boolean;
}

/** One ctrl_tcp event. `type` is e.g. REGISTER_OK, CALL_INCOMING, CALL_ESTABLISHED, CALL_DTMF_START, CALL_CLOSED. */
export interface BaresipEvent {
  readonly type: string;
  readonly class?: string;
  readonly accountaor?: string;
  readonly direction?: 'incoming' | 'outgoing';
  readonly peeruri?: string;
  /** The call's id (its SIP Call-ID). */
  readonly id?: string;
  /** The digit of CALL_DTMF_START, the reason of CALL_CLOSED, the peer of CALL_INCOMING, ... */
  readonly param?: string;
}

export interface BaresipRecording {
  readonly path: string;
  readonly audio: PcmAudio;
}

// baresip colours some command output (ESC [ 32 m ... ESC [ ; m), even on ctrl_tcp.
const ANSI_COLOUR = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** The parts of `audio_debug` the tests judge a call's audio by, without a sound card. */
export interface BaresipAudioStatus {
  /** `a=` direction of the local media: sendrecv, sendonly, recvonly, inactive. */
  readonly direction: string;
  /** Encoder and decoder, e.g. `PCMU 8000Hz/1ch`. */
  readonly encoder: string;
  readonly decoder: string;
  /** Seconds of audio encoded and decoded so far: the decoded time stands still while nothing is received. */
  readonly sentS: number;
  readonly receivedS: number;
  /** RTP packets received from the peer and sent (RTCP session counters). */
  readonly packetsReceived: number;
  readonly packetsSent: number;
}

/** Reads `audio_debug`'s text; fields it cannot find are left at '' or NaN. */
export function parseAudioDebug(text: string): BaresipAudioStatus {
  const clean = text.replace(ANSI_COLOUR, '');
  const [tx = '', rx = ''] = clean.split(/^\s*rx:/m);
  const number = (source: string, pattern: RegExp): number => {
    const match = pattern.exec(source);
    return match === null ? Number.NaN : Number(match[1]);
  };
  const word = (source: string, pattern: RegExp): string => pattern.exec(source)?.[1]?.trim() ?? '';
  return {
    direction: word(clean, /audio dir=(\w+)/),
    encoder: word(tx, /encode:\s*([^\n]*?)\s+(?:ptime|S16LE)/),
    decoder: word(rx, /decode:\s*([^\n]*?)\s+S16LE/),
    sentS: number(tx, /time = ([\d.]+) sec/),
    receivedS: number(rx, /time = ([\d.]+) sec/),
    packetsReceived: number(clean, /rcvd=(\d+)/),
    packetsSent: number(clean, /TX: packets=(\d+)/),
  };
}

export interface BaresipHandle {
  /** Process (and process group) id. */
  readonly pid: number;
  readonly sipPort: number;
  readonly controlPort: number;
  readonly aor: string;
  /** The account's answer mode: an auto-answering phone reports CALL_ESTABLISHED without CALL_INCOMING. */
  readonly answerMode: 'auto' | 'manual';
  /** Where to reach this phone without a proxy: `sip:USER@127.0.0.1:PORT`. */
  readonly directUri: string;
  readonly runDir: string;
  readonly recordingDir: string;
  /** Runs any ctrl_tcp command and returns its text (`data`); rejects when baresip answers ok:false. */
  command(name: string, params?: string): Promise<string>;
  dial(uri: string): Promise<void>;
  /** Accepts the ringing incoming call. */
  answer(): Promise<void>;
  /** Hangs up the current call (or rejects the ringing one). */
  hangup(): Promise<void>;
  hold(): Promise<void>;
  resume(): Promise<void>;
  /** RFC 4733 telephone-events, one per character (`sndcode`). */
  sendDtmf(digits: string): Promise<void>;
  /** Blind transfer of the current call (REFER). */
  transfer(uri: string): Promise<void>;
  /**
   * The current call's audio as `audio_debug` tells it. Use it to see audio stop and return across hold and
   * resume: sndfile's received recording ends at a call's first re-INVITE (baresip 1.0 rebuilds the receive
   * pipeline without it), while `receivedS` keeps counting.
   */
  audioStatus(): Promise<BaresipAudioStatus>;
  /**
   * The next event of `type` that no earlier waitForEvent of that type returned, whether it arrived before this
   * call or arrives within `timeoutMs`; `where` narrows it (skipped events stay available to later waits).
   */
  waitForEvent(
    type: string,
    timeoutMs?: number,
    where?: (event: BaresipEvent) => boolean,
  ): Promise<BaresipEvent>;
  /** Every event so far, in order. */
  readonly events: readonly BaresipEvent[];
  /** The newest `dump-*-dec.wav`: what this phone heard on its latest call, up to that call's first re-INVITE. */
  receivedRecording(): Promise<BaresipRecording>;
  /** The newest `dump-*-enc.wav`: what this phone sent. */
  sentRecording(): Promise<BaresipRecording>;
  readLog(): Promise<string>;
  /** SIGTERM (SIGKILL after 3 s) to its process group, closes the control connection, removes the run dir. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 5_000;
const COMMAND_TIMEOUT_MS = 5_000;
const DEFAULT_EVENT_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 3_000;
/** RTP/RTCP ports per phone: a few calls' worth (each takes an even RTP port and the next one for RTCP). */
const RTP_PORT_COUNT = 8;
// Where Debian's baresip-core puts its modules, and where a build from source does.
const MODULE_DIRS = ['/usr/lib/baresip/modules', '/usr/local/lib/baresip/modules'];

function moduleDir(): string {
  const found = MODULE_DIRS.find((dir) => existsSync(join(dir, 'ctrl_tcp.so')));
  if (found === undefined)
    throw new Error(`baresip modules (ctrl_tcp.so ...) not found in ${MODULE_DIRS.join(', ')}`);
  return found;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The account line of baresip's `accounts` file. */
export function accountLine(account: BaresipAccount): string {
  const params: string[] = [];
  if (account.password !== undefined) params.push(`auth_pass=${account.password}`);
  if (account.authUser !== undefined) params.push(`auth_user=${account.authUser}`);
  if (account.outboundProxy !== undefined) params.push(`outbound="${account.outboundProxy}"`);
  const register = account.register ?? account.outboundProxy !== undefined;
  params.push(`regint=${register ? (account.registerIntervalS ?? 600) : 0}`);
  params.push(`answermode=${account.answerMode ?? 'manual'}`);
  if (account.publishIntervalS !== undefined) params.push(`pubint=${account.publishIntervalS}`);
  if (account.codecs !== undefined && account.codecs.length > 0) {
    params.push(`audio_codecs=${account.codecs.map((codec) => CODEC_SPECS[codec]).join(',')}`);
  }
  if (account.displayName !== undefined && !/^[\w ]+$/u.test(account.displayName)) {
    throw new Error(`baresip display name ${account.displayName} is not plain words`);
  }
  const name = account.displayName === undefined ? '' : `"${account.displayName}" `;
  return `${name}<${account.aor}>;${params.join(';')}`;
}

interface ConfigPorts {
  readonly sip: number;
  readonly rtp: number;
  readonly control: number;
}

/** baresip's `config` file: loopback only, no sound card, no DNS, the modules the tests use and nothing else. */
export function configText(
  options: BaresipOptions,
  ports: ConfigPorts,
  recordingDir: string,
  modulePath: string,
): string {
  const [jitterMin, jitterMax] = options.jitterBufferFrames ?? [1, 3];
  const lines = [
    'poll_method epoll',
    `sip_listen ${LOOPBACK}:${ports.sip}`,
    'sip_trans_def udp',
    'call_local_timeout 120',
    'call_max_calls 4',
    // aubridge with a device name nobody opens: the speaker and the ringer play into nothing.
    'audio_player aubridge,nowhere',
    'audio_alert aubridge,nowhere',
    `audio_source aufile,${options.source}`,
    `ausrc_srate ${options.sourceRate ?? 48_000}`,
    `ausrc_channels ${options.sourceChannels ?? 1}`,
    'auplay_srate 48000',
    'auplay_channels 1',
    `rtp_ports ${ports.rtp}-${ports.rtp + RTP_PORT_COUNT - 1}`,
    'rtcp_mux no',
    `jitter_buffer_delay ${jitterMin}-${jitterMax}`,
    // Never resolve anything: a DNS server on loopback that does not exist, on the loopback interface only.
    `dns_server ${LOOPBACK}:53`,
    `net_interface ${LOOPBACK}`,
    `module_path ${modulePath}`,
    // Codec modules load in baresip's default order of preference; an account's audio_codecs reorders them.
    'module g711.so',
    'module opus.so',
    'module aufile.so',
    'module aubridge.so',
    'module sndfile.so',
    'module_app account.so',
    // menu provides the commands (dial, accept, hold ...) that ctrl_tcp runs.
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    ...(options.presence === true ? ['module_app presence.so'] : []),
    `ctrl_tcp_listen ${LOOPBACK}:${ports.control}`,
    `snd_path ${recordingDir}`,
    '',
  ];
  return lines.join('\n');
}

/** Splits a byte stream into netstrings (`LEN:payload,`); `push` returns the complete payloads so far. */
export class NetstringReader {
  #buffer = Buffer.alloc(0);

  push(chunk: Buffer): string[] {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    const payloads: string[] = [];
    for (;;) {
      const colon = this.#buffer.indexOf(0x3a);
      if (colon < 0) break;
      const length = Number(this.#buffer.subarray(0, colon).toString('ascii'));
      if (!Number.isInteger(length) || length < 0) throw new Error('ctrl_tcp: bad netstring length');
      const end = colon + 1 + length;
      if (this.#buffer.length < end + 1) break;
      if (this.#buffer[end] !== 0x2c) throw new Error('ctrl_tcp: netstring without its comma');
      payloads.push(this.#buffer.subarray(colon + 1, end).toString('utf8'));
      this.#buffer = this.#buffer.subarray(end + 1);
    }
    return payloads;
  }
}

export function netstring(payload: string): string {
  return `${Buffer.byteLength(payload)}:${payload},`;
}

function userOf(aor: string): string {
  const match = /^sips?:([^@;>]+)@/.exec(aor);
  if (match === null) throw new Error(`baresip account ${aor} has no user part`);
  return match[1]!;
}

async function newest(dir: string, suffix: string): Promise<BaresipRecording> {
  // Names sort by time (the timestamp is zero-padded), which is also the order baresip made them in.
  const names = (await readdir(dir))
    .filter((name) => name.startsWith('dump-') && name.endsWith(suffix))
    .sort();
  const name = names.at(-1);
  if (name === undefined) throw new Error(`baresip recorded no *${suffix} in ${dir}`);
  const path = join(dir, name);
  return { path, audio: await readWavFile(path) };
}

interface PendingCommand {
  readonly resolve: (data: string) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface EventWaiter {
  readonly type: string;
  readonly where: ((event: BaresipEvent) => boolean) | undefined;
  readonly resolve: (event: BaresipEvent) => void;
  readonly reject: (error: Error) => void;
}

export async function startBaresip(options: BaresipOptions): Promise<BaresipHandle> {
  const baresip = requireExecutable('baresip');
  const modulePath = moduleDir();
  const runDir = await mkdtemp(join(tmpdir(), 'softphone-baresip-'));
  const configDir = join(runDir, 'config');
  const recordingDir = join(runDir, 'recordings');
  const logPath = join(runDir, 'baresip.log');
  await mkdir(configDir);
  await mkdir(recordingDir);
  // sip_listen N takes N + 1 as well.
  const ports: ConfigPorts = {
    sip: await freePortRun(2),
    rtp: await freePortRun(RTP_PORT_COUNT),
    control: await freePort(),
  };
  await writeFile(join(configDir, 'config'), configText(options, ports, recordingDir, modulePath));
  await writeFile(join(configDir, 'accounts'), `${accountLine(options.account)}\n`);
  // An empty contacts file, or baresip writes its own example contacts.
  await writeFile(join(configDir, 'contacts'), '');

  const args = ['-f', configDir, ...(options.sipTrace === true ? ['-s'] : [])];
  const logFd = openSync(logPath, 'w');
  let child: ChildProcess;
  try {
    // detached: its own process group, so stop() reaches it and nothing else.
    child = spawn(baresip, args, { cwd: runDir, detached: true, stdio: ['ignore', logFd, logFd] });
  } finally {
    closeSync(logFd);
  }
  const events: BaresipEvent[] = [];
  // Per event type: the indices in `events` that a waitForEvent has already returned.
  const consumed = new Map<string, Set<number>>();
  const waiters = new Set<EventWaiter>();
  const pending = new Map<string, PendingCommand>();
  let nextToken = 1;
  let socket: Socket | undefined;
  let stopped = false;
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      // A phone that dies mid-test fails what waits on it now, not after the waits' timeouts.
      if (!stopped) failAll(new Error(`baresip exited (code ${code}, signal ${signal}); log ${logPath}`));
      resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const pgid = child.pid!;
  trackGroup(pgid);

  function failAll(error: Error): void {
    for (const [token, command] of pending) {
      clearTimeout(command.timer);
      command.reject(error);
      pending.delete(token);
    }
    for (const waiter of waiters) waiter.reject(error);
    waiters.clear();
  }

  async function tail(): Promise<string> {
    try {
      return (await readFile(logPath, 'utf8')).split('\n').slice(-30).join('\n');
    } catch {
      return '(no log)';
    }
  }

  function take(
    type: string,
    where: ((event: BaresipEvent) => boolean) | undefined,
  ): BaresipEvent | undefined {
    const taken = consumed.get(type) ?? new Set<number>();
    consumed.set(type, taken);
    const index = events.findIndex(
      (event, at) => event.type === type && !taken.has(at) && (where === undefined || where(event)),
    );
    if (index < 0) return undefined;
    taken.add(index);
    return events[index];
  }

  function onMessage(text: string): void {
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch {
      return; // baresip escapes its JSON; anything unreadable is not ours to judge here
    }
    if (typeof message !== 'object' || message === null) return;
    const record = message as Record<string, unknown>;
    if (record.response === true && typeof record.token === 'string') {
      const command = pending.get(record.token);
      if (command === undefined) return;
      pending.delete(record.token);
      clearTimeout(command.timer);
      const data = typeof record.data === 'string' ? record.data : '';
      if (record.ok === true) command.resolve(data);
      else command.reject(new Error(`baresip refused the command: ${data.trim()}`));
      return;
    }
    if (record.event === true && typeof record.type === 'string') {
      events.push(record as unknown as BaresipEvent);
      for (const waiter of [...waiters]) {
        const event = take(waiter.type, waiter.where);
        if (event !== undefined) {
          waiters.delete(waiter);
          waiter.resolve(event);
        }
      }
    }
  }

  async function connectControl(): Promise<Socket> {
    const deadline = performance.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (exited) throw new Error(`baresip exited during start-up; log ${logPath}:\n${await tail()}`);
      try {
        return await new Promise<Socket>((resolve, reject) => {
          const attempt = connect(ports.control, LOOPBACK);
          attempt.once('connect', () => resolve(attempt));
          attempt.once('error', reject);
        });
      } catch {
        if (performance.now() > deadline) {
          throw new Error(`baresip ctrl_tcp not ready within ${READY_TIMEOUT_MS} ms; log:\n${await tail()}`);
        }
        await delay(50);
      }
    }
  }

  function command(name: string, params = ''): Promise<string> {
    const current = socket;
    if (current === undefined || stopped) return Promise.reject(new Error('baresip is not running'));
    const token = String(nextToken++);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(token);
        reject(new Error(`baresip did not answer ${name} within ${COMMAND_TIMEOUT_MS} ms`));
      }, COMMAND_TIMEOUT_MS);
      pending.set(token, { resolve, reject, timer });
      current.write(netstring(JSON.stringify({ command: name, params, token })));
    });
  }

  function waitForEvent(
    type: string,
    timeoutMs = DEFAULT_EVENT_TIMEOUT_MS,
    where?: (event: BaresipEvent) => boolean,
  ): Promise<BaresipEvent> {
    const ready = take(type, where);
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise<BaresipEvent>((resolve, reject) => {
      const waiter: EventWaiter = {
        type,
        where,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        const seen = events.map((event) => event.type).join(', ');
        reject(
          new Error(`${options.account.aor}: no ${type} within ${timeoutMs} ms (events so far: ${seen})`),
        );
      }, timeoutMs);
      waiters.add(waiter);
    });
  }

  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    socket?.destroy();
    failAll(new Error('baresip stopped'));
    await endGroup(pgid, 'SIGTERM', STOP_GRACE_MS);
    await exitPromise;
    untrackGroup(pgid);
    if (process.env.SOFTPHONE_KEEP_PEER_LOGS !== '1') await rm(runDir, { recursive: true, force: true });
  }

  try {
    socket = await connectControl();
    const reader = new NetstringReader();
    socket.on('data', (chunk: Buffer) => {
      let payloads: string[];
      try {
        payloads = reader.push(chunk);
      } catch (error) {
        // A broken frame leaves nothing to resynchronise on: fail what waits, take no more.
        failAll(error instanceof Error ? error : new Error(String(error)));
        socket?.destroy();
        return;
      }
      for (const payload of payloads) onMessage(payload);
    });
    socket.on('error', () => {
      // The process is going away; stop() or the next command reports it.
    });
    const registering = options.account.register ?? options.account.outboundProxy !== undefined;
    if (registering) await awaitRegistration();
  } catch (error) {
    await stop();
    throw error;
  }

  // The first REGISTER can finish before the control connection is up, so its REGISTER_OK may never be seen:
  // ask `reginfo` until it says OK instead.
  async function awaitRegistration(): Promise<void> {
    const deadline = performance.now() + READY_TIMEOUT_MS;
    while (!events.some((event) => event.type === 'REGISTER_OK')) {
      // `> sip:alice@example.test   ESC[32mOK ESC[;m ...`: colours around the state.
      const info = (await command('reginfo')).replace(ANSI_COLOUR, '');
      if (/\sOK\s/.test(info)) return;
      if (events.some((event) => event.type === 'REGISTER_FAIL') || performance.now() > deadline) {
        throw new Error(
          `baresip ${options.account.aor} did not register: ${info.trim()}\nlog:\n${await tail()}`,
        );
      }
      await delay(50);
    }
  }

  const simple = (name: string, params?: string) => async (): Promise<void> => {
    await command(name, params);
  };

  return {
    pid: pgid,
    sipPort: ports.sip,
    controlPort: ports.control,
    aor: options.account.aor,
    answerMode: options.account.answerMode ?? 'manual',
    directUri: `sip:${userOf(options.account.aor)}@${LOOPBACK}:${ports.sip}`,
    runDir,
    recordingDir,
    command,
    dial: async (uri) => {
      await command('dial', uri);
    },
    answer: simple('accept'),
    hangup: simple('hangup'),
    hold: simple('hold'),
    resume: simple('resume'),
    sendDtmf: async (digits) => {
      await command('sndcode', digits);
    },
    transfer: async (uri) => {
      await command('transfer', uri);
    },
    audioStatus: async () => parseAudioDebug(await command('audio_debug')),
    waitForEvent,
    events,
    receivedRecording: () => newest(recordingDir, '-dec.wav'),
    sentRecording: () => newest(recordingDir, '-enc.wav'),
    readLog: () => readFile(logPath, 'utf8'),
    stop,
  };
}
