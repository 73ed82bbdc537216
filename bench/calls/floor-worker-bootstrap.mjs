// Starts bench/calls/floor-worker.ts in a worker thread: registers tsx's loader on this thread, since a worker does
// not inherit the loader hooks of the thread that started it, then loads the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./floor-worker.ts', import.meta.url).href);
