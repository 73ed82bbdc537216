// A worker thread for the FrameRing test: registers tsx's loader (a worker does not inherit the loader hooks of the
// thread that started it), then runs the TypeScript producer.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./frame-ring-producer.ts', import.meta.url).href);
