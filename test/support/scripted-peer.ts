// A SIP peer scripted by the test, on the LoopbackNetwork: it records every message it receives and answers only
// when told (or through an auto-responder), so a test can produce what a well-behaved agent never would: forks,
// crossing requests, 2xx retransmissions, silence.
import type { DatagramSocket, SocketAddress } from '../../main/platform/sockets';
import { createResponse } from '../../main/sip/message/builders';
import type { SipMessage, SipRequest, SipResponse } from '../../main/sip/message/message';
import { parseMessage } from '../../main/sip/message/parse';
import { serializeMessage } from '../../main/sip/message/serialize';
import type { LoopbackNetwork } from './loopback-network';

const encoder = new TextEncoder();

/** An SDP answer to our default offer: PCMU only, from 10.0.0.9:30000. */
export const PCMU_ANSWER = [
  'v=0',
  'o=peer 1 1 IN IP4 10.0.0.9',
  's=-',
  'c=IN IP4 10.0.0.9',
  't=0 0',
  'm=audio 30000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  '',
].join('\r\n');

/** An SDP offer of PCMU and telephone-event, as a plain phone would send. */
export const PCMU_OFFER = [
  'v=0',
  'o=peer 2 2 IN IP4 10.0.0.9',
  's=-',
  'c=IN IP4 10.0.0.9',
  't=0 0',
  'm=audio 30002 RTP/AVP 0 101',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:101 telephone-event/8000',
  'a=fmtp:101 0-16',
  '',
].join('\r\n');

export interface Received {
  readonly message: SipMessage;
  readonly from: SocketAddress;
}

export interface ReplyOptions {
  readonly toTag?: string;
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly sdp?: string;
  /** Adds `Contact: <sip:peer@ADDRESS:PORT>`. Default true for 1xx with a tag and 2xx. */
  readonly contact?: boolean;
}

export class ScriptedPeer {
  readonly received: Received[] = [];
  readonly #socket: DatagramSocket;
  #auto: ((request: SipRequest, from: SocketAddress) => void) | undefined;

  private constructor(socket: DatagramSocket) {
    this.#socket = socket;
    socket.onMessage((data, from) => {
      const parsed = parseMessage(data);
      if (!parsed.ok) return;
      this.received.push({ message: parsed.message, from });
      if (parsed.message.kind === 'request') this.#auto?.(parsed.message, from);
    });
  }

  static async start(network: LoopbackNetwork, address: string, port = 5060): Promise<ScriptedPeer> {
    return new ScriptedPeer(await network.bindDatagram(address, port));
  }

  get address(): SocketAddress {
    return this.#socket.local;
  }

  get uri(): string {
    return `sip:peer@${this.address.address}:${this.address.port}`;
  }

  /** Answers requests as they come, e.g. 200 to every BYE. */
  autoRespond(handler: ((request: SipRequest, from: SocketAddress) => void) | undefined): void {
    this.#auto = handler;
  }

  requests(method: string): SipRequest[] {
    return this.received.flatMap((entry) =>
      entry.message.kind === 'request' && entry.message.method === method ? [entry.message] : [],
    );
  }

  responses(): SipResponse[] {
    return this.received.flatMap((entry) => (entry.message.kind === 'response' ? [entry.message] : []));
  }

  lastRequest(method: string): SipRequest {
    const found = this.requests(method).at(-1);
    if (!found) throw new Error(`no ${method} received`);
    return found;
  }

  /** Sends a response to `request` back where it came from (its top Via's received/rport per the sender). */
  reply(request: SipRequest, status: number, options: ReplyOptions = {}): SipResponse {
    const headers: Array<readonly [string, string]> = [...(options.headers ?? [])];
    const wantsContact = options.contact ?? (status > 100 && status < 300);
    if (wantsContact) headers.push(['Contact', `<${this.uri}>`]);
    const response = createResponse(request, status, {
      ...(options.toTag === undefined ? {} : { toTag: options.toTag }),
      headers,
      ...(options.sdp === undefined
        ? {}
        : { body: encoder.encode(options.sdp), contentType: 'application/sdp' }),
    });
    this.sendResponse(response, request);
    return response;
  }

  sendResponse(response: SipResponse, request: SipRequest): void {
    const via = request.topVia!;
    const port = typeof via.rport === 'number' ? via.rport : (via.port ?? 5060);
    this.#socket.send(serializeMessage(response), port, via.received ?? via.host);
  }

  /** Sends raw text (a request of the test's own making) to address:port. */
  sendText(text: string, address: string, port = 5060): void {
    this.#socket.send(encoder.encode(text), port, address);
  }

  close(): void {
    this.#socket.close();
  }
}
