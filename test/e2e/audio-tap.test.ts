// The audio tap's own test, in Chromium without the softphone: a page builds the two connections the window's
// audio graph makes (a microphone source, a playback worklet with no inputs into the destination) from signals it
// makes itself, and the tap must hand back each signal on its own channel, see both ends, reach the playback node's
// port, and count a socket's binary frames each way.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { analyzeTone } from '../support/audio/tone-judge';
import { CHROMIUM_ARGS, chromiumPath } from '../support/chromium';
import { peersAvailable } from '../interop/support/peers';
import { AudioTap } from './support/audio-tap';

const peers = peersAvailable();

// A worklet like the window's playback node: no inputs, one output, a port that answers {type:'stats'}.
const TONE_WORKLET = `
registerProcessor('tone', class extends AudioWorkletProcessor {
  constructor() {
    super();
    this.phase = 0;
    this.port.onmessage = (event) => {
      if (event.data.type === 'stats') this.port.postMessage({ type: 'stats', played: this.phase });
    };
  }
  process(inputs, outputs) {
    const out = outputs[0][0];
    for (let i = 0; i < out.length; i++) out[i] = 0.4 * Math.sin((2 * Math.PI * 700 * this.phase++) / sampleRate);
    return true;
  }
});
`;

describe.skipIf(!peers.chromium)('the audio tap', () => {
  let server: Server;
  let sockets: WebSocketServer;
  let browser: Browser;
  let page: Page;
  let origin: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/tone.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' });
        response.end(TONE_WORKLET);
        return;
      }
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><title>tap</title>');
    });
    sockets = new WebSocketServer({ server });
    // Echoes each binary frame twice: the page sends one and receives two.
    sockets.on('connection', (socket) =>
      socket.on('message', (data, binary) => {
        if (!binary) return;
        socket.send(data);
        socket.send(data);
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: chromiumPath()!,
      args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'],
    });
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    sockets?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('records the microphone source and the playback worklet on separate channels of one clock', async () => {
    const tap = new AudioTap(page);
    await tap.install();
    await page.goto(origin);
    await page.evaluate(async () => {
      // Runs in the page; the Node test project has no DOM types.
      const scope = globalThis as unknown as {
        AudioContext: new (options: { sampleRate: number }) => {
          audioWorklet: { addModule(url: string): Promise<void> };
          createOscillator(): { frequency: { value: number }; connect(node: unknown): void; start(): void };
          createMediaStreamDestination(): { stream: unknown };
          createMediaStreamSource(stream: unknown): { connect(node: unknown): void };
          createGain(): { gain: { value: number }; connect(node: unknown): void };
          destination: unknown;
          resume(): Promise<void>;
        };
        AudioWorkletNode: new (
          context: unknown,
          name: string,
          options: unknown,
        ) => { connect(node: unknown): void };
      };
      const context = new scope.AudioContext({ sampleRate: 48_000 });
      await context.audioWorklet.addModule('/tone.js');
      const oscillator = context.createOscillator();
      oscillator.frequency.value = 1_000;
      const stream = context.createMediaStreamDestination();
      oscillator.connect(stream);
      oscillator.start();
      const microphone = context.createMediaStreamSource(stream.stream);
      const silent = context.createGain();
      silent.gain.value = 0;
      microphone.connect(silent);
      silent.connect(context.destination);
      const playback = new scope.AudioWorkletNode(context, 'tone', {
        numberOfInputs: 0,
        numberOfOutputs: 1,
        outputChannelCount: [1],
      });
      playback.connect(context.destination);
      await context.resume();
    });
    await tap.start();
    await tap.waitForRecorded(1.2);
    await tap.stop();

    const counters = await tap.counters();
    expect(counters).toMatchObject({
      microphoneSeen: true,
      speakerSeen: true,
      sampleRate: 48_000,
      contexts: 1,
    });
    const microphone = analyzeTone(await tap.take('microphone'), { toneHz: 1_000 });
    const speaker = analyzeTone(await tap.take('speaker'), { toneHz: 700 });
    // Each channel carries its own signal and nothing of the other's.
    expect(microphone.toneWindows).toBeGreaterThanOrEqual(2);
    expect(microphone.minActiveShare).toBeGreaterThan(0.95);
    expect(speaker.toneWindows).toBeGreaterThanOrEqual(2);
    expect(speaker.minActiveShare).toBeGreaterThan(0.95);
    expect(speaker.toneRms).toBeCloseTo(0.4 / Math.SQRT2, 2);
    // A later part of the recording is the tail of the whole.
    const whole = await tap.take('speaker');
    const tail = await tap.take('speaker', 4_800);
    expect(tail.samples.length).toBe(whole.samples.length - 4_800);
    expect(tail.samples.subarray(0, 100)).toEqual(whole.samples.subarray(4_800, 4_900));

    expect(await tap.playbackStats()).toMatchObject({ type: 'stats' });
  });

  it('counts binary frames each way on a socket, and not text frames', async () => {
    const tap = new AudioTap(page);
    await page.evaluate(
      async (url) => {
        const scope = globalThis as unknown as {
          WebSocket: new (url: string) => {
            binaryType: string;
            onopen: (() => void) | null;
            send(data: unknown): void;
          };
        };
        const socket = new scope.WebSocket(url);
        socket.binaryType = 'arraybuffer';
        await new Promise<void>((resolve) => (socket.onopen = resolve));
        socket.send('{"type":"command"}');
        for (let index = 0; index < 5; index++) socket.send(new Int16Array(960));
      },
      origin.replace('http', 'ws'),
    );
    await expect.poll(async () => (await tap.counters()).framesReceived).toBe(10);
    expect((await tap.counters()).framesSent).toBe(5);
  });
});
