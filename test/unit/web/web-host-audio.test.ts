// Call audio on the web host's socket: audio.open/close, binary frames both ways, and their limits.
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_PACKET_BYTES, MAX_AUDIO_STREAMS_PER_SOCKET } from '../../../main/contract/audio-stream';
import { STRAY_FRAME_LIMIT } from '../../../main/web/socket-audio';
import { type WebHost, startWebHost } from '../../../main/web/web-host';
import { call } from '../../support/fake-engine';
import { FakeCallAudio } from '../../support/fake-call-audio';
import { type WebFakeEngine, createFakeEngine } from './fake-engine';
import { type TestClient, openSocket } from './web-client';

let base: string;
const hosts: WebHost[] = [];
const clients: TestClient[] = [];
const audios: FakeCallAudio[] = [];

beforeAll(async () => {
  base = await realpath(await mkdtemp(join(tmpdir(), 'web-host-audio-')));
  await mkdir(join(base, 'renderer'));
  await writeFile(join(base, 'renderer', 'index.html'), '<!doctype html><title>Softphone</title>');
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

afterEach(async () => {
  for (const opened of clients.splice(0)) opened.ws.terminate();
  await Promise.all(hosts.splice(0).map((host) => host.close()));
  for (const audio of audios.splice(0)) audio.close();
});

interface Setup {
  readonly host: WebHost;
  readonly engine: WebFakeEngine;
  readonly calls: Map<string, FakeCallAudio>;
}

async function start(withAudio = true): Promise<Setup> {
  const calls = new Map<string, FakeCallAudio>();
  for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) {
    const audio = new FakeCallAudio();
    audios.push(audio);
    calls.set(id, audio);
  }
  const engine = createFakeEngine();
  if (withAudio) Object.assign(engine, { audioPort: (id: string) => calls.get(id)?.endpoint });
  const host = await startWebHost({ engine, rendererDir: join(base, 'renderer') });
  hosts.push(host);
  return { host, engine, calls };
}

async function client(host: WebHost): Promise<TestClient> {
  const opened = await openSocket(host.port, { token: host.token });
  clients.push(opened);
  return opened;
}

async function open(socket: TestClient, callId: string): Promise<number> {
  const result = await socket.request({ type: 'audio.open', callId });
  expect(result).toMatchObject({ ok: true });
  return (result['value'] as { stream: number }).stream;
}

/** A binary audio frame for `stream` whose samples all equal `value`. */
function packet(stream: number, value: number, bytes = AUDIO_PACKET_BYTES): Buffer {
  const buffer = Buffer.alloc(bytes);
  buffer.writeUInt16LE(stream, 0);
  for (let offset = 2; offset + 1 < bytes; offset += 2) buffer.writeInt16LE(value, offset);
  return buffer;
}

/** Waits until a command round trip has passed, so every frame sent before it has been handled. */
async function settled(socket: TestClient): Promise<void> {
  await socket.command('app.info', []);
}

describe('web host call audio', () => {
  it('opens a call with a stream number and carries frames both ways', async () => {
    const { host, calls } = await start();
    const tab = await client(host);
    const stream = await open(tab, 'c1');
    expect(stream).toBe(1);
    const audio = calls.get('c1')!;
    await audio.until(() => audio.listening);

    tab.ws.send(packet(stream, 1234));
    await audio.until(() => audio.received.length === 1);
    expect(audio.received[0]?.every((sample) => sample === 1234)).toBe(true);

    audio.speak(-321);
    const [speaker] = await tab.binaryFrames(1);
    expect(speaker?.byteLength).toBe(AUDIO_PACKET_BYTES);
    expect(speaker?.readUInt16LE(0)).toBe(stream);
    expect(speaker?.readInt16LE(2)).toBe(-321);
    expect(speaker?.readInt16LE(AUDIO_PACKET_BYTES - 2)).toBe(-321);
    expect(host.audioCounters).toMatchObject({ framesIn: 1, framesOut: 1, droppedIn: 0, droppedOut: 0 });
  });

  it('answers a call without audio, a bad call id and an engine without calls with errors', async () => {
    const { host } = await start();
    const tab = await client(host);
    expect(await tab.request({ type: 'audio.open', callId: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await tab.request({ type: 'audio.open', callId: 'c\u0000' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
    expect(await tab.request({ type: 'audio.open' })).toMatchObject({ ok: false });
    expect(await tab.request({ type: 'audio.close', stream: 0 })).toMatchObject({
      ok: false,
      error: { code: 'invalid-argument' },
    });
    expect(await tab.request({ type: 'audio.close', stream: 9 })).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    const bare = await start(false);
    const other = await client(bare.host);
    expect(await other.request({ type: 'audio.open', callId: 'c1' })).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
  });

  it('drops and counts frames of the wrong length or for a stream the socket does not hold', async () => {
    const { host, calls } = await start();
    const first = await client(host);
    const second = await client(host);
    const mine = await open(first, 'c1');
    const theirs = await open(second, 'c2');
    first.ws.send(packet(mine, 5, AUDIO_PACKET_BYTES - 2));
    first.ws.send(packet(mine, 5, AUDIO_PACKET_BYTES + 2));
    first.ws.send(Buffer.alloc(1));
    first.ws.send(packet(mine + 40, 5));
    first.ws.send(packet(0, 5));
    // A stream number of another socket is no stream of this one, even when the numbers happen to match.
    expect(theirs).toBe(1);
    first.ws.send(packet(theirs === mine ? mine + 1 : theirs, 5));
    first.ws.send(packet(mine, 6));
    await settled(first);
    const audio = calls.get('c1')!;
    await audio.until(() => audio.received.length === 1);
    expect(audio.received[0]?.[0]).toBe(6);
    expect(calls.get('c2')!.received).toEqual([]);
    expect(host.audioCounters).toMatchObject({ droppedIn: 6, framesIn: 1 });
    expect(first.ws.readyState).toBe(first.ws.OPEN);
  });

  it('holds at most a few streams per socket', async () => {
    const { host } = await start();
    const tab = await client(host);
    for (let index = 1; index <= MAX_AUDIO_STREAMS_PER_SOCKET; index++) await open(tab, `c${index}`);
    expect(await tab.request({ type: 'audio.open', callId: 'c5' })).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    expect(await tab.request({ type: 'audio.close', stream: 2 })).toEqual({ ok: true, value: null });
    expect(await open(tab, 'c5')).toBe(MAX_AUDIO_STREAMS_PER_SOCKET + 1);
  });

  it('closes a socket that keeps sending frames while holding no stream (1008)', async () => {
    const { host } = await start();
    const junk = await client(host);
    const good = await client(host);
    for (let index = 0; index < STRAY_FRAME_LIMIT; index++) junk.ws.send(packet(1, 0));
    await settled(junk);
    expect(junk.ws.readyState).toBe(junk.ws.OPEN);
    junk.ws.send(packet(1, 0));
    expect((await junk.closed).code).toBe(1008);
    expect(await good.command('app.info', [])).toMatchObject({ ok: true });
  });

  it('gives a call to the newest window and tells the old one it was replaced', async () => {
    const { host, calls } = await start();
    const old = await client(host);
    const reloaded = await client(host);
    const before = await open(old, 'c1');
    const after = await open(reloaded, 'c1');
    expect(await old.waitFor((frame) => frame['type'] === 'audio.closed')).toEqual({
      type: 'audio.closed',
      stream: before,
      reason: 'replaced',
    });
    const audio = calls.get('c1')!;
    audio.speak(77);
    const [frame] = await reloaded.binaryFrames(1);
    expect(frame?.readUInt16LE(0)).toBe(after);
    // The old window's late frames no longer reach the call; they are dropped, and its socket stays.
    old.ws.send(packet(before, 1));
    reloaded.ws.send(packet(after, 2));
    await audio.until(() => audio.received.length === 1);
    await settled(old);
    expect(audio.received.map((samples) => samples[0])).toEqual([2]);
    expect(old.binary).toEqual([]);
    expect(old.ws.readyState).toBe(old.ws.OPEN);
  });

  it('replaces its own older stream when one socket opens the same call twice', async () => {
    const { host, calls } = await start();
    const tab = await client(host);
    const first = await open(tab, 'c1');
    const second = await open(tab, 'c1');
    expect(second).not.toBe(first);
    expect(await tab.waitFor((frame) => frame['type'] === 'audio.closed')).toEqual({
      type: 'audio.closed',
      stream: first,
      reason: 'replaced',
    });
    tab.ws.send(packet(first, 1));
    tab.ws.send(packet(second, 2));
    const audio = calls.get('c1')!;
    await audio.until(() => audio.received.length === 1);
    await settled(tab);
    expect(audio.received.map((samples) => samples[0])).toEqual([2]);
    expect(host.audioCounters).toMatchObject({ droppedIn: 1, framesIn: 1 });
  });

  it('tells the window when the call ends, and lets go of a call whose socket closed', async () => {
    const { host, engine, calls } = await start();
    const tab = await client(host);
    const stream = await open(tab, 'c1');
    engine.emit('call.changed', call({ id: 'c1', state: 'ended' }));
    expect(await tab.waitFor((frame) => frame['type'] === 'audio.closed')).toEqual({
      type: 'audio.closed',
      stream,
      reason: 'ended',
    });
    await open(tab, 'c2');
    const audio = calls.get('c2')!;
    await audio.until(() => audio.listening);
    tab.ws.terminate();
    await audio.until(() => !audio.listening);
    const back = await client(host);
    expect(await open(back, 'c2')).toBe(1);
  });
});
