// The far end of the CPU-floor benchmark's UDP rows (bench/call-cpu-floor.ts), run as a child process: sends each
// datagram back to where it came from, half a frame (10 ms) later. The delay puts the echo midway between the
// sender's 20 ms ticks, so receiving it is a wake of its own, as with a real far end whose clock has nothing to do
// with ours; an immediate echo could land while the sender is still awake from its send.
//
// `node --import tsx bench/calls/udp-echo-peer.ts [delay-ms]`: prints `port <n>` once bound, exits when its stdin
// closes (the benchmark ended or died) or on a datagram it cannot send.
import { createSocket } from 'node:dgram';

const delayMs = Number(process.argv[2] ?? 10);
if (!(delayMs >= 0 && delayMs < 1000)) {
  console.error(`udp-echo-peer: the delay must be 0 to 999 ms, not ${process.argv[2]}`);
  process.exit(2);
}

const socket = createSocket('udp4');
socket.on('error', (error) => {
  console.error(`udp-echo-peer: ${error.message}`);
  process.exit(1);
});
socket.on('message', (datagram, from) => {
  setTimeout(() => socket.send(datagram, from.port, from.address), delayMs);
});
socket.bind(0, '127.0.0.1', () => {
  process.stdout.write(`port ${socket.address().port}\n`);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
