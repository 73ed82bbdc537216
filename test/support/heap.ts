// Memory as a test measures it: the JavaScript heap plus the ArrayBuffers behind Buffers (where received datagrams
// and stream chunks live), after full garbage collections, so that what is left is what something still holds.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/** The gc() of a process started without --expose-gc: the flag is set now and a fresh context hands gc out. */
function gcFunction(): () => void {
  if (collect) return collect;
  setFlagsFromString('--expose-gc');
  collect = runInNewContext('gc') as () => void;
  return collect;
}

/** Collects garbage until the heap stops shrinking (at most a few rounds) and returns the bytes still in use. */
export async function retainedBytes(): Promise<number> {
  const gc = gcFunction();
  let previous = Infinity;
  for (let round = 0; round < 5; round++) {
    // Let finalizers and pending callbacks run between rounds, so what they release is counted as released.
    await new Promise<void>((resolve) => setImmediate(resolve));
    gc();
    const { heapUsed, arrayBuffers } = process.memoryUsage();
    const now = heapUsed + arrayBuffers;
    if (now >= previous - 64 * 1024) return now;
    previous = now;
  }
  return previous;
}

export const MiB = 1024 * 1024;
