// The UDP ports this process has bound, on any thread (the media worker's included), read from Linux's /proc: the
// socket inodes among our file descriptors, matched against the kernel's UDP tables. Lets a test aim datagrams at
// sockets a worker bound without the worker telling it their ports.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

function socketInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (match !== null) inodes.add(match[1]!);
    } catch {
      // closed between the listing and the read
    }
  }
  return inodes;
}

/** Local ports of this process's UDP sockets (IPv4 and IPv6). */
export function ownUdpPorts(): number[] {
  const inodes = socketInodes();
  const ports: number[] = [];
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ..."
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns.length < 10 || !inodes.has(columns[9]!)) continue;
      ports.push(Number.parseInt(columns[1]!.split(':').at(-1)!, 16));
    }
  }
  return ports;
}
