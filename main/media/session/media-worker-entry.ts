// The media worker thread's main module: it builds a MediaEngine on the worker's own clock (the system clock of
// main/platform, whose timers run on this thread's event loop, not the engine's), real UDP sockets and the stream
// pieces, and connects it to the parent port. Loaded by the MediaWorkerHost, from media-worker-bootstrap.mjs when
// running from TypeScript sources, or as the `media-worker` entry of a built bundle.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { err, type Result } from '../../contract/result';
import { SystemClock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { NodeSocketFactory } from '../../platform/node-sockets';
import { CryptoRandom } from '../../platform/random';
import { AudioStreamChannel } from './audio-stream-channel';
import { framePortOf } from './frame-port';
import { MediaEngine } from './media-engine';
import { SocketLedger } from './socket-ledger';
import {
  parseHostMessage,
  parseWorkerData,
  type HostMessage,
  type MediaFailure,
  type ReplyValue,
  type WorkerMessage,
} from './media-worker-protocol';
import type { MediaWarmUp } from './warm-up';
import { workerPieces } from './worker-pieces';

async function dispatch(
  engine: MediaEngine,
  message: HostMessage,
  shutdown: () => Promise<void>,
): Promise<Result<ReplyValue, MediaFailure>> {
  switch (message.type) {
    case 'allocate':
    case 'reserve': {
      const channel = AudioStreamChannel.over(message.audio);
      if (channel === null)
        return err({ code: 'invalid-params', message: 'the audio stream is not two rings' });
      return message.type === 'allocate'
        ? engine.allocate(message.callId, message.bindAddress, framePortOf(channel))
        : engine.reserve(message.reservation, message.bindAddress, framePortOf(channel));
    }
    case 'claim':
      return engine.claim(message.callId, message.reservation);
    case 'release':
      return engine.release(message.reservation);
    case 'start':
      return engine.start(message.callId, message.params);
    case 'update':
      return engine.update(message.callId, message.params);
    case 'mute':
      return engine.setMuted(message.callId, message.muted);
    case 'dtmf':
      return engine.sendDtmf(message.callId, message.digits);
    case 'stop':
      return engine.stop(message.callId);
    case 'shutdown':
      await shutdown();
      return { ok: true, value: null };
  }
}

function run(port: MessagePort, startData: unknown): void {
  const post = (message: WorkerMessage): void => port.postMessage(message);
  const clock = new SystemClock();
  const random = new CryptoRandom();
  // Every socket of this thread, calls', the port pool's and the warm-up's, so `shutdown` can close them all.
  const sockets = new SocketLedger(new NodeSocketFactory());
  // Nothing here may write to stdout (the CLI's events are JSON lines there): the host logs what matters.
  const logger: Logger = { log: () => undefined };
  const engine = new MediaEngine({
    clock,
    random,
    sockets,
    pieces: workerPieces,
    emit: (event) => post({ type: 'event', event }),
    logger,
  });
  // Off unless the host asks for it (MediaWorkerHostOptions.warmUpTicks); loaded only then, so a worker without it
  // starts exactly as before. From WARM_UP_DELAY_MS after `ready`, a tick per turn of the event loop, none while the
  // worker has calls.
  const { warmUpTicks = 0, warmUpDelayMs } = parseWorkerData(startData);
  let warmUp: MediaWarmUp | undefined;
  let stopped = false;
  // The host terminates the thread once this has answered: node aborts the whole process when a datagram reaches a
  // socket of a worker being terminated (socket-ledger.ts), so the answer waits until no socket is left open.
  const shutdown = async (): Promise<void> => {
    stopped = true;
    warmUp?.stop();
    engine.shutdown();
    await sockets.closeAll();
  };
  port.on('message', (raw: unknown) => {
    const message = parseHostMessage(raw);
    if (message === null) return;
    // The warm-up's priming legs tick on this thread's clock, beside a call's: they stop before the call's first tick.
    if (message.type === 'start') warmUp?.yieldToCall();
    dispatch(engine, message, shutdown).then(
      (result) => post({ type: 'reply', id: message.id, result }),
      (error: unknown) =>
        post({
          type: 'reply',
          id: message.id,
          result: err({
            code: 'stream-failed',
            message: error instanceof Error ? error.message : String(error),
          }),
        }),
    );
  });
  post({ type: 'ready' });
  const warmed = (ticks: number, failure?: string): void =>
    post({ type: 'warmed', ticks, ...(failure === undefined ? {} : { failure }) });
  if (warmUpTicks === 0) {
    warmed(0);
    return;
  }
  void import('./warm-up')
    .then(async ({ MediaWarmUp, WARM_UP_DELAY_MS, runWarmUp, turnWhenIdle }) => {
      if (stopped) return warmed(0);
      warmUp = new MediaWarmUp({
        pieces: workerPieces,
        random,
        sockets,
        bindAddress: '127.0.0.1',
        ticks: warmUpTicks,
        clock,
      });
      const report = await runWarmUp(
        warmUp,
        turnWhenIdle(clock, () => engine.callCount > 0, warmUpDelayMs ?? WARM_UP_DELAY_MS),
        { clock },
      );
      warmed(report.ticks, report.failure);
    })
    .catch((error: unknown) => warmed(0, error instanceof Error ? error.message : String(error)));
}

if (parentPort !== null) run(parentPort, workerData);
