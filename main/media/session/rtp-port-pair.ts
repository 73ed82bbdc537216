// Binds a call's RTP and RTCP sockets before the SDP is written, so the offer or answer carries real ports. RFC 3550
// §11 asks for an even RTP port with RTCP on the next (odd) one; the kernel hands out ephemeral ports, so a few
// tries look for an even one whose neighbour is free, and after that any two ports do (the SDP says where RTCP is,
// RFC 3605 `a=rtcp`).
import { err, ok, type Result } from '../../contract/result';
import type { DatagramSocket, SocketFactory } from '../../platform/sockets';

export interface RtpPortPair {
  readonly rtp: DatagramSocket;
  readonly rtcp: DatagramSocket;
}

const ADJACENT_TRIES = 8;

function closeQuietly(socket: DatagramSocket): void {
  try {
    socket.close();
  } catch {
    // nothing to release
  }
}

async function tryBind(
  sockets: SocketFactory,
  address: string,
  port: number,
): Promise<DatagramSocket | null> {
  try {
    return await sockets.bindDatagram(address, port);
  } catch {
    return null;
  }
}

export async function bindRtpPortPair(
  sockets: SocketFactory,
  address: string,
): Promise<Result<RtpPortPair, string>> {
  for (let attempt = 0; attempt < ADJACENT_TRIES; attempt++) {
    const rtp = await tryBind(sockets, address, 0);
    if (rtp === null) break;
    const port = rtp.local.port;
    if (port % 2 === 0 && port < 0xffff) {
      const rtcp = await tryBind(sockets, address, port + 1);
      if (rtcp !== null) return ok({ rtp, rtcp });
    }
    closeQuietly(rtp);
  }
  // No adjacent pair found (or the address cannot be bound at all): any two ports, or the reason why not.
  let rtp: DatagramSocket;
  try {
    rtp = await sockets.bindDatagram(address, 0);
  } catch (error) {
    return err(
      `cannot bind an RTP socket on ${address}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const rtcp = await tryBind(sockets, address, 0);
  if (rtcp === null) {
    closeQuietly(rtp);
    return err(`cannot bind an RTCP socket on ${address}`);
  }
  return ok({ rtp, rtcp });
}
