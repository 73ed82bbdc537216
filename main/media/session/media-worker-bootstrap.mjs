// Starts the media worker from the TypeScript sources (tests, `softphone` run through tsx): registers tsx's loader on
// this thread, since a worker does not inherit the loader hooks of the thread that started it, then loads the
// entry. A built bundle never uses this file: its `media-worker` entry is plain JavaScript.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./media-worker-entry.ts', import.meta.url).href);
