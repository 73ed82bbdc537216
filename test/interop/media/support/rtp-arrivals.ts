// The RTP a call sends, noted as it arrives by a UDP receiver in a worker thread of its own
// (udp-arrival-recorder.mjs), so arrival times stay true while the test's main thread is busy; and what the pacing
// tests read off those arrivals.
import { Worker } from 'node:worker_threads';
import { expect } from 'vitest';

export interface Arrival {
  /** Wall-clock ms on the shared scale (performance.timeOrigin + now()). */
  readonly at: number;
  readonly sequence: number;
  readonly timestamp: number;
}

export class ArrivalRecorder {
  readonly #worker: Worker;
  readonly port: number;

  private constructor(worker: Worker, port: number) {
    this.#worker = worker;
    this.port = port;
  }

  static async start(): Promise<ArrivalRecorder> {
    const worker = new Worker(new URL('./udp-arrival-recorder.mjs', import.meta.url));
    const port = await new Promise<number>((resolve) =>
      worker.once('message', (message: { port: number }) => resolve(message.port)),
    );
    return new ArrivalRecorder(worker, port);
  }

  /** Every packet that has arrived so far, in arrival order. */
  async arrivals(): Promise<Arrival[]> {
    this.#worker.postMessage('report');
    const { arrivals } = await new Promise<{ arrivals: Arrival[] }>((resolve) =>
      this.#worker.once('message', (message: { arrivals: Arrival[] }) => resolve(message)),
    );
    return arrivals;
  }

  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }
}

export function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
}

/** No sequence number missing and every timestamp one 20 ms PCMU packet (160 ticks) after the one before. */
export function expectUnbrokenPcmu(arrivals: readonly Arrival[]): void {
  for (let index = 1; index < arrivals.length; index++) {
    expect((arrivals[index]!.sequence - arrivals[index - 1]!.sequence) & 0xffff).toBe(1);
    expect((arrivals[index]!.timestamp - arrivals[index - 1]!.timestamp) >>> 0).toBe(160);
  }
}

/** The gaps between arrivals, sorted, and their distances from 20 ms, sorted. */
export function pacing(arrivals: readonly Arrival[]): { gaps: number[]; deviations: number[] } {
  const intervals = arrivals.slice(1).map((arrival, index) => arrival.at - arrivals[index]!.at);
  return {
    gaps: [...intervals].sort((a, b) => a - b),
    deviations: intervals.map((gap) => Math.abs(gap - 20)).sort((a, b) => a - b),
  };
}
