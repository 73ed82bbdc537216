// A plain UDP receiver in a worker thread of its own, for the test that blocks the main thread: it notes when each
// RTP packet arrived (on the shared wall-clock scale, performance.timeOrigin + now()) and its sequence number and
// timestamp, and reports them when asked. Running off the main thread, it sees packets as they come even while the
// main thread is busy.
import { createSocket } from 'node:dgram';
import { parentPort } from 'node:worker_threads';

const socket = createSocket('udp4');
const arrivals = [];
socket.on('message', (data) => {
  if (data.length < 12) return;
  arrivals.push({
    at: performance.timeOrigin + performance.now(),
    sequence: data.readUInt16BE(2),
    timestamp: data.readUInt32BE(4),
  });
});
socket.bind(0, '127.0.0.1', () => parentPort.postMessage({ type: 'bound', port: socket.address().port }));
parentPort.on('message', (message) => {
  if (message === 'report') parentPort.postMessage({ type: 'report', arrivals });
  if (message === 'close') socket.close(() => process.exit(0));
});
