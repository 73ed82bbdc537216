// Free loopback ports for real peers (Kamailio, SIPp), which need explicit port numbers: SIPp treats -p 0 as
// "no port", and Kamailio's listen lines are fixed at start-up.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { readFile } from 'node:fs/promises';

export const LOOPBACK = '127.0.0.1';

// Ports handed out by this process are not handed out again: between picking a port and the peer binding it,
// the kernel still sees it as free.
const handedOut = new Set<number>();

// Stay inside the IANA dynamic range but below Linux's default ephemeral start (32768), so ports the kernel
// assigns to our own outgoing sockets rarely collide with the ones peers are told to bind.
const RANGE_LOW = 20_000;
const RANGE_HIGH = 32_000;

export function isUdpPortFree(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ port, address: host, exclusive: true }, () => {
      socket.close(() => resolve(true));
    });
  });
}

export function isTcpPortFree(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

async function pick(check: (port: number) => Promise<boolean>, what: string): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = RANGE_LOW + Math.floor(Math.random() * (RANGE_HIGH - RANGE_LOW));
    if (handedOut.has(port)) continue;
    if (await check(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free loopback ${what} found after 200 attempts`);
}

/** A loopback port free for UDP. */
export function freeUdpPort(): Promise<number> {
  return pick((port) => isUdpPortFree(port), 'UDP port');
}

/** A loopback port free for both UDP and TCP (SIP servers listen on both with one number). */
export function freePort(): Promise<number> {
  return pick(async (port) => (await isUdpPortFree(port)) && (await isTcpPortFree(port)), 'UDP+TCP port');
}

/**
 * A UDP port `p` such that `p` and `p + gap` are both free on loopback. SIPp's media port needs this: it binds -mp and -mp + 2 (audio and video).
 */
export function freeUdpPortPair(gap = 2): Promise<number> {
  return pick(async (port) => {
    if (handedOut.has(port + gap)) return false;
    const both = (await isUdpPortFree(port)) && (await isUdpPortFree(port + gap));
    if (both) handedOut.add(port + gap);
    return both;
  }, 'UDP port pair');
}

/** A UDP port free on every address (SIPp binds its control socket to 0.0.0.0). */
export function freeWildcardUdpPort(): Promise<number> {
  return pick((port) => isUdpPortFree(port, '0.0.0.0'), 'wildcard UDP port');
}

/**
 * Whether some process has `port` bound on loopback (UDP) or listening (TCP), read from /proc/net without
 * touching the port: a probe bind could steal the port from a peer that is just starting.
 */
export async function isPortInUse(port: number, transport: 'udp' | 'tcp'): Promise<boolean> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  // /proc/net/udp: state 07 = unconnected (bound); /proc/net/tcp: state 0A = LISTEN.
  const wantedState = transport === 'udp' ? '07' : '0A';
  let table: string;
  try {
    table = await readFile(`/proc/net/${transport}`, 'utf8');
  } catch {
    // Not Linux: fall back to a probe bind, accepting its small race.
    return transport === 'udp' ? !(await isUdpPortFree(port)) : !(await isTcpPortFree(port));
  }
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const state = fields[3];
    if (local?.endsWith(`:${hexPort}`) && state === wantedState) return true;
  }
  return false;
}

/**
 * The first of `count` consecutive loopback ports that are all free for UDP and TCP, each handed out. baresip
 * needs such runs: `sip_listen` N also binds N + 1, and `rtp_ports` is a range it picks RTP/RTCP pairs from.
 */
export function freePortRun(count: number): Promise<number> {
  return pick(async (port) => {
    for (let offset = 0; offset < count; offset++) {
      const candidate = port + offset;
      if (offset > 0 && handedOut.has(candidate)) return false;
      if (!(await isUdpPortFree(candidate)) || !(await isTcpPortFree(candidate))) return false;
    }
    for (let offset = 1; offset < count; offset++) handedOut.add(port + offset);
    return true;
  }, `run of ${count} ports`);
}
