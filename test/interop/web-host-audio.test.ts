// Call audio through the real web host: the engine (in process, the real media worker, SQLite in a temp folder)
// calls SIPp's answerer with -rtp_echo (a zero-delay RTP reflector), and a Node WebSocket client with the token
// plays the window's part: audio.open, a 1 kHz tone as binary microphone frames every 20 ms, and the speaker frames
// that come back, the tone among them after one trip through PCMU and the reflector. Frames between the window and
// the engine are counted on both sides: none may be lost. The second test drops the socket mid-call, as a reload
// does, and checks the call goes on and the audio flows again on a new socket.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AUDIO_PACKET_BYTES } from '../../main/contract/audio-stream';
import type { CallDto } from '../../main/contract/contract';
import { SystemClock } from '../../main/platform/clock';
import { silentLogger } from '../../main/platform/logger';
import { NodeSocketFactory } from '../../main/platform/node-sockets';
import { CryptoRandom } from '../../main/platform/random';
import type { Engine } from '../../main/services/engine';
import { UserAgentPool } from '../../main/services/user-agent-pool';
import { SystemNameResolver } from '../../main/ua/dns-resolver';
import { type WebHost, startWebHost } from '../../main/web/web-host';
import { type TestClient, openSocket } from '../unit/web/web-client';
import { callReaches, nextEvent, startRecordingEngine } from './support/engine-harness';
import { freePort, freeUdpPortPair } from './support/ports';
import { type SippHandle, peersAvailable, startSipp } from './support/sipp';

const peers = peersAvailable();
const SCENARIO = join(import.meta.dirname, 'calls', 'scenarios', 'uas-echo-pcmu.xml');
const SAMPLES = 960;
const RATE = 48_000;
/** Frames the window sends in the first test: 8 s of audio. */
const FRAMES = 400;

/** A 20 ms frame of a 1 kHz tone, continuous from frame to frame. */
function toneFrame(index: number): Buffer {
  const packet = Buffer.alloc(AUDIO_PACKET_BYTES);
  for (let sample = 0; sample < SAMPLES; sample++) {
    const t = (index * SAMPLES + sample) / RATE;
    packet.writeInt16LE(Math.round(8_000 * Math.sin(2 * Math.PI * 1000 * t)), 2 + 2 * sample);
  }
  return packet;
}

/** Root mean square of a received packet's samples. */
function rms(packet: Buffer): number {
  let sum = 0;
  for (let offset = 2; offset < packet.byteLength; offset += 2) sum += packet.readInt16LE(offset) ** 2;
  return Math.sqrt(sum / SAMPLES);
}

/** Sends `count` tone frames on `stream`, one every 20 ms as a microphone does. */
async function speak(client: TestClient, stream: number, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    const packet = toneFrame(index);
    packet.writeUInt16LE(stream, 0);
    client.ws.send(packet);
    await new Promise((done) => setTimeout(done, 20));
  }
}

describe.skipIf(!peers.sipp)('call audio through the web host', () => {
  let dir: string;
  let engine: Engine | undefined;
  let host: WebHost | undefined;
  let sipp: SippHandle | undefined;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'web-host-audio-'));
    await mkdir(join(dir, 'renderer'));
    await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>Softphone</title>');
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.ws.terminate();
    await host?.close();
    await engine?.shutdown(2_000);
    await sipp?.stop();
    host = engine = sipp = undefined;
  });

  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** The engine behind a web host, a connected client, and a call to the echo that is up. */
  async function connectedCall(name: string): Promise<{ client: TestClient; call: CallDto }> {
    const running = await startRecordingEngine(dir, name, {
      agents: new UserAgentPool({
        sockets: new NodeSocketFactory(),
        clock: new SystemClock(),
        random: new CryptoRandom(),
        resolver: new SystemNameResolver(),
        logger: silentLogger,
        userAgent: 'softphone-test',
        port: await freePort(),
      }),
    });
    engine = running.engine;
    host = await startWebHost({ engine, rendererDir: join(dir, 'renderer') });
    const mediaPort = await freeUdpPortPair(2);
    sipp = await startSipp({
      scenario: SCENARIO,
      mediaPort,
      keys: { sdp_port: String(mediaPort) },
      extraArgs: ['-rtp_echo'],
      timeoutSec: 60,
    });
    const client = await connect(host);
    const dialled = await client.command('calls.dial', [
      { target: `sip:echo@127.0.0.1:${sipp.localPort}`, accountId: null },
    ]);
    expect(dialled).toMatchObject({ ok: true });
    const call = await nextEvent(running.events, callReaches((dialled['value'] as CallDto).id, 'connected'));
    return { client, call };
  }

  async function connect(web: WebHost): Promise<TestClient> {
    const client = await openSocket(web.port, { token: web.token });
    clients.push(client);
    return client;
  }

  async function openAudio(client: TestClient, callId: string): Promise<number> {
    const result = await client.request({ type: 'audio.open', callId });
    expect(result).toMatchObject({ ok: true });
    return (result['value'] as { stream: number }).stream;
  }

  it('carries a few hundred frames each way with none lost, and the tone comes back through the echo', async () => {
    const { client, call } = await connectedCall('flow');
    const stream = await openAudio(client, call.id);
    await speak(client, stream, FRAMES);
    // Let the last frames' echo arrive, then stop the speaker side so the counts are final.
    await new Promise((done) => setTimeout(done, 300));
    expect(await client.request({ type: 'audio.close', stream })).toEqual({ ok: true, value: null });
    const counters = host!.audioCounters;
    await expect.poll(() => client.binary.length).toBe(counters.framesOut);
    console.info(
      `web host audio: ${FRAMES} frames sent, ${counters.framesIn} reached the engine; ` +
        `${counters.framesOut} speaker frames sent, ${client.binary.length} received`,
    );
    expect(counters).toMatchObject({ framesIn: FRAMES, droppedIn: 0, droppedOut: 0 });
    // One speaker frame per 20 ms tick while the stream was open: at least as many as we spoke.
    expect(counters.framesOut).toBeGreaterThanOrEqual(FRAMES * 0.9);
    expect(client.binary.every((packet) => packet.byteLength === AUDIO_PACKET_BYTES)).toBe(true);
    expect(client.binary.every((packet) => packet.readUInt16LE(0) === stream)).toBe(true);
    const loud = client.binary.filter((packet) => rms(packet) > 2_000).length;
    expect(loud).toBeGreaterThan(FRAMES * 0.8);
    expect(await client.command('calls.hangup', [call.id])).toMatchObject({ ok: true });
  });

  it('keeps the call when the window goes away mid-call, and reattaches a new socket to it', async () => {
    const { client, call } = await connectedCall('reload');
    const stream = await openAudio(client, call.id);
    await speak(client, stream, 50);
    expect(client.binary.length).toBeGreaterThan(0);
    // The reload: the socket is gone without a goodbye.
    client.ws.terminate();
    await client.closed;
    await new Promise((done) => setTimeout(done, 500));

    const reloaded = await connect(host!);
    const listed = await reloaded.command('calls.list', []);
    expect(listed).toMatchObject({ ok: true, value: [{ id: call.id, state: 'connected' }] });
    const again = await openAudio(reloaded, call.id);
    await speak(reloaded, again, 150);
    await new Promise((done) => setTimeout(done, 300));
    const loud = reloaded.binary.filter((packet) => rms(packet) > 2_000).length;
    expect(reloaded.binary.length).toBeGreaterThanOrEqual(140);
    expect(loud).toBeGreaterThan(100);
    expect(host!.audioCounters).toMatchObject({ framesIn: 200, droppedIn: 0, droppedOut: 0 });
    expect(await reloaded.command('calls.hangup', [call.id])).toMatchObject({ ok: true });
  });
});
