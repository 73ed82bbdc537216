// The far side of the two-thread FrameRing test: writes `frames` frames into the ring as fast as it can, frame i
// filled with i in every sample (so a torn frame shows mixed values), then raises the `done` flag.
import { workerData } from 'node:worker_threads';
import { FRAME_SAMPLES } from '../../../../../main/media/media-seams';
import { FrameRing } from '../../../../../main/media/session/frame-ring';

interface ProducerData {
  readonly ring: SharedArrayBuffer;
  readonly done: SharedArrayBuffer;
  readonly frames: number;
}

const data = workerData as ProducerData;
const ring = FrameRing.over(data.ring);
const done = new Int32Array(data.done);
if (ring === null) throw new Error('the test gave no ring');
const frame = new Int16Array(FRAME_SAMPLES);
for (let index = 0; index < data.frames; index++) {
  frame.fill(index);
  ring.write(frame);
}
Atomics.store(done, 0, 1);
