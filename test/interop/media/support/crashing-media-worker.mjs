// The real media worker with one fault added: DTMF digit "9" throws an uncaught error on the worker thread, which
// kills it the way a bug or an out-of-memory abort would. Lets the host's crash handling be tested on a real thread.
// The entry is loaded first: the parent port delivers messages from its first listener on, and that must be the
// entry's, or the first messages would reach only this one.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(new URL('../../../../main/media/session/media-worker-entry.ts', import.meta.url).href);
parentPort.on('message', (message) => {
  if (message?.type === 'dtmf' && message.digits === '9') throw new Error('injected media worker crash');
});
