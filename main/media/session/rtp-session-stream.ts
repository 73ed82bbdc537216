// The RTP session of main/media/rtp/ (with RTCP and RFC 4733 DTMF) as the stream's `StreamRtp`. A session is built
// for one payload type and clock rate; a re-INVITE that changes the codec (or rtcp-mux, or telephone-event) gets a
// new session on the same sockets, so the session sees the sockets through views it may close without releasing
// the ports (the stream owns and closes them). Anything else a re-INVITE changes goes to the running session:
// addresses (except for the legacy `c=0.0.0.0` hold, which keeps where we were sending) and the directions.
import type { DatagramSocket } from '../../platform/sockets';
import type { RemoteAddress } from '../rtp/rtp-session';
import { RtpSession } from '../rtp/rtp-session';
import type { StreamParams } from './media-worker-protocol';
import type { StreamRtp, StreamRtpOptions } from './stream-pieces';

/**
 * A view of `socket` that stops sending and delivering once closed, leaving the socket itself open: a session
 * closes what it is given, and a codec change must not release the call's ports.
 */
export function borrowedSocket(socket: DatagramSocket): DatagramSocket {
  let closed = false;
  return {
    local: socket.local,
    send(data, port, address) {
      if (!closed) socket.send(data, port, address);
    },
    onMessage(handler) {
      socket.onMessage((data, from) => {
        if (!closed) handler(data, from);
      });
    },
    onError(handler) {
      socket.onError((error) => {
        if (!closed) handler(error);
      });
    },
    close() {
      closed = true;
    },
  };
}

function isUnspecified(address: RemoteAddress): boolean {
  return address.address === '0.0.0.0' || address.address === '::';
}

/** Changes that a running session cannot take: they need a new one. */
function needsNewSession(before: StreamParams, after: StreamParams): boolean {
  return (
    before.codec.payloadType !== after.codec.payloadType ||
    before.codec.clockRate !== after.codec.clockRate ||
    before.rtcpMux !== after.rtcpMux ||
    before.telephoneEvent?.payloadType !== after.telephoneEvent?.payloadType ||
    before.telephoneEvent?.clockRate !== after.telephoneEvent?.clockRate
  );
}

export class RtpSessionStream implements StreamRtp {
  readonly #options: StreamRtpOptions;
  readonly #cname: string;
  #params: StreamParams;
  #session: RtpSession;
  /** Where we sent before a legacy hold pointed at 0.0.0.0. */
  #lastRemote: { rtp: RemoteAddress; rtcp: RemoteAddress };

  constructor(options: StreamRtpOptions) {
    this.#options = options;
    this.#params = options.params;
    // RFC 7022: a random CNAME per stream, so nothing about the user or the host leaks through RTCP.
    this.#cname = `${options.random.token(16)}@softphone`;
    this.#lastRemote = { rtp: options.params.remoteRtp, rtcp: options.params.remoteRtcp };
    this.#session = this.#open(options.params);
  }

  sendAudio(payload: Uint8Array, durationTicks: number, marker: boolean): void {
    this.#session.sendAudio(payload, durationTicks, { marker });
  }

  sendDtmf(digits: string): boolean {
    return this.#session.sendDtmf(digits);
  }

  update(params: StreamParams): void {
    const before = this.#params;
    this.#params = params;
    if (needsNewSession(before, params)) {
      this.#session.close();
      this.#session = this.#open(params);
      return;
    }
    if (!isUnspecified(params.remoteRtp)) {
      this.#lastRemote = {
        rtp: params.remoteRtp,
        rtcp: params.rtcpMux ? params.remoteRtp : params.remoteRtcp,
      };
      this.#session.setRemote(this.#lastRemote.rtp, this.#lastRemote.rtcp);
    }
    this.#session.setSending(params.send);
    this.#session.setReceiving(params.receive);
  }

  stats(): ReturnType<StreamRtp['stats']> {
    const stats = this.#session.stats();
    return { sent: stats.sent, received: stats.received, roundTripMs: stats.roundTripMs };
  }

  close(): void {
    this.#session.close();
  }

  #open(params: StreamParams): RtpSession {
    const { rtpSocket, rtcpSocket, clock, random, onAudio, onDtmf, onFarEndLoss } = this.#options;
    if (!isUnspecified(params.remoteRtp)) {
      this.#lastRemote = {
        rtp: params.remoteRtp,
        rtcp: params.rtcpMux ? params.remoteRtp : params.remoteRtcp,
      };
    }
    const session = new RtpSession({
      rtpSocket: borrowedSocket(rtpSocket),
      ...(params.rtcpMux ? {} : { rtcpSocket: borrowedSocket(rtcpSocket) }),
      remoteRtp: this.#lastRemote.rtp,
      remoteRtcp: this.#lastRemote.rtcp,
      payloadType: params.codec.payloadType,
      clockRate: params.codec.clockRate,
      ...(params.telephoneEvent === undefined ? {} : { telephoneEvent: params.telephoneEvent }),
      cname: this.#cname,
      clock,
      random,
    });
    session.onAudio(onAudio);
    session.onDtmf(onDtmf);
    if (onFarEndLoss !== undefined) {
      session.onEvent((event) => {
        if (event.kind === 'far-end-loss') onFarEndLoss(event.fractionLost);
      });
    }
    session.setSending(params.send);
    session.setReceiving(params.receive);
    return session;
  }
}
