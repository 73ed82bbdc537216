// An AudioWorkletGlobalScope stand-in, so the capture and playback worklets run in Node as Chromium runs them: the
// module reads `sampleRate`, extends `AudioWorkletProcessor` and calls `registerProcessor` at import; the test then
// builds the processor, posts to its port and calls `process` one render quantum at a time.

/** The processor's end of its MessagePort: what it posts is kept, and the test delivers messages to it. */
export class FakeProcessorPort {
  readonly posted: { readonly message: unknown; readonly transfer: readonly unknown[] }[] = [];
  onmessage: ((event: MessageEvent) => void) | null = null;

  postMessage(message: unknown, transfer: readonly unknown[] = []): void {
    this.posted.push({ message, transfer });
  }

  /** The page posts `data` to the processor. */
  deliver(data: unknown): void {
    this.onmessage?.({ data } as MessageEvent);
  }
}

export interface WorkletProcessor {
  readonly port: FakeProcessorPort;
  process(inputs: Float32Array[][], outputs: Float32Array[][]): boolean;
}

type ProcessorClass = new (options: AudioWorkletNodeOptions) => WorkletProcessor;

const SCOPE_KEYS = ['sampleRate', 'AudioWorkletProcessor', 'registerProcessor'] as const;

/**
 * Imports a worklet module in a scope running at `sampleRate` and answers the processor class it registered.
 * `importModule` must load a fresh copy (after `vi.resetModules()`). The scope stays in place, since processors
 * read `sampleRate` when they are built: remove it with `removeWorkletScope` after the test.
 */
export async function loadWorklet(
  sampleRate: number,
  importModule: () => Promise<unknown>,
): Promise<ProcessorClass> {
  const registered: ProcessorClass[] = [];
  const scope = globalThis as unknown as Record<(typeof SCOPE_KEYS)[number], unknown>;
  scope.sampleRate = sampleRate;
  scope.AudioWorkletProcessor = class {
    readonly port = new FakeProcessorPort();
  };
  scope.registerProcessor = (_name: string, processor: ProcessorClass) => registered.push(processor);
  await importModule();
  const [processor] = registered;
  if (registered.length !== 1 || processor === undefined)
    throw new Error(`the module registered ${registered.length} processors`);
  return processor;
}

export function removeWorkletScope(): void {
  for (const key of SCOPE_KEYS) Reflect.deleteProperty(globalThis, key);
}
