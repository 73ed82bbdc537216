// Test harness for the transaction layer: messages built from wire text, a fake TransportSender that records every
// send with its clock time, and a lossy in-memory wire joining two layers (drop, duplicate, delay per message).
import { createRequest, createResponse } from '../../../../main/sip/message/builders';
import type { SipMessage, SipRequest, SipResponse } from '../../../../main/sip/message/message';
import { parseNameAddr } from '../../../../main/sip/message/name-addr';
import { parseMessage } from '../../../../main/sip/message/parse';
import { serializeMessage } from '../../../../main/sip/message/serialize';
import { parseUri } from '../../../../main/sip/message/uri';
import type { Clock } from '../../../../main/platform/clock';
import type { ClientTransactionUser } from '../../../../main/sip/transaction/client-transaction';
import type {
  ServerTransaction,
  ServerTransactionUser,
} from '../../../../main/sip/transaction/server-transaction';
import type { TimerSettings } from '../../../../main/sip/transaction/timers';
import {
  type TransactionStateChange,
  TransactionLayer,
} from '../../../../main/sip/transaction/transaction-layer';
import { ManualClock } from '../../../support/manual-clock';
import { SeededRandom } from '../../../support/seeded-random';
import {
  type Destination,
  type MessageSource,
  type SentBy,
  type TransportSender,
  TransportError,
} from '../../../../main/sip/transport/types';

export const LOCAL = { address: '192.0.2.1', port: 5060 } as const;
export const REMOTE = { address: '198.51.100.7', port: 5060 } as const;

export const UDP_PEER: Destination = { protocol: 'udp', ...REMOTE };
export const TCP_PEER: Destination = { protocol: 'tcp', ...REMOTE };

export function sourceOf(protocol: 'udp' | 'tcp' = 'udp'): MessageSource {
  return { protocol, ...REMOTE, localAddress: LOCAL.address, localPort: LOCAL.port };
}

export function parse(text: string | Uint8Array): SipMessage {
  const parsed = parseMessage(text);
  if (!parsed.ok) throw new Error(`test message does not parse: ${parsed.error.reason}\n${String(text)}`);
  return parsed.message;
}

/** What the peer would receive: the message through serialisation and parsing, so no object is shared. */
export function overTheWire<T extends SipMessage>(message: T): T {
  return parse(serializeMessage(message)) as T;
}

function nameAddr(text: string) {
  const parsed = parseNameAddr(text);
  if (!parsed.ok) throw new Error(parsed.error.reason);
  return parsed.value;
}

/** A request of ours, without Via (the layer adds it). */
export function outgoingRequest(
  method: string,
  options: { cseq?: number; callId?: string; route?: string[]; toTag?: string } = {},
): SipRequest {
  const uri = parseUri('sip:bob@198.51.100.7');
  if (!uri.ok) throw new Error(uri.error.reason);
  return createRequest({
    method,
    requestUri: uri.value,
    from: { ...nameAddr('"Alice" <sip:alice@example.test>'), tag: 'alicetag' },
    to: options.toTag
      ? { ...nameAddr('<sip:bob@example.test>'), tag: options.toTag }
      : nameAddr('<sip:bob@example.test>'),
    callId: options.callId ?? 'call-1@192.0.2.1',
    cseq: options.cseq ?? 1,
    contact: [nameAddr('<sip:alice@192.0.2.1:5060>')],
    route: (options.route ?? []).map(nameAddr),
  });
}

export interface IncomingRequestOptions {
  /** null: no branch parameter at all (RFC 2543 peer). */
  readonly branch?: string | null;
  readonly sentBy?: string;
  readonly cseq?: number;
  /** CSeq method; defaults to the request method. */
  readonly cseqMethod?: string;
  readonly callId?: string;
  readonly toTag?: string;
  readonly uri?: string;
}

/** A request as a peer would send it to us, parsed from wire text. */
export function incomingRequest(method: string, options: IncomingRequestOptions = {}): SipRequest {
  const branch =
    options.branch === undefined
      ? ';branch=z9hG4bKpeer1'
      : options.branch === null
        ? ''
        : `;branch=${options.branch}`;
  const toTag = options.toTag ? `;tag=${options.toTag}` : '';
  const text = [
    `${method} ${options.uri ?? 'sip:alice@192.0.2.1'} SIP/2.0`,
    `Via: SIP/2.0/UDP ${options.sentBy ?? '198.51.100.7:5060'}${branch}`,
    'Max-Forwards: 70',
    'From: <sip:bob@example.test>;tag=bobtag',
    `To: <sip:alice@example.test>${toTag}`,
    `Call-ID: ${options.callId ?? 'peer-call-1'}`,
    `CSeq: ${options.cseq ?? 1} ${options.cseqMethod ?? method}`,
    'Contact: <sip:bob@198.51.100.7:5060>',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return parse(text) as SipRequest;
}

/** A response from the peer to one of our requests, as it arrives off the wire. */
export function responseTo(request: SipRequest, status: number, toTag = 'bobtag'): SipResponse {
  return overTheWire(createResponse(request, status, { toTag }));
}

export interface SentRecord {
  /** Clock time of the send. */
  readonly at: number;
  readonly message: SipMessage;
  /** The message as serialised at send time (messages are mutable). */
  readonly text: string;
  readonly destination?: Destination;
  readonly source?: MessageSource;
}

export type FailureMode = 'none' | 'reject' | 'throw';

/** Records every send; can fail (asynchronously or synchronously) to exercise transport errors. */
export class FakeTransport implements TransportSender {
  readonly sent: SentRecord[] = [];
  failure: FailureMode = 'none';
  #onUnreachable: ((destination: Destination) => void) | undefined;

  constructor(
    readonly clock: Clock,
    readonly local: { readonly address: string; readonly port: number } = LOCAL,
  ) {}

  sentBy(destination: Destination): SentBy {
    return {
      transport: destination.protocol === 'tcp' ? 'TCP' : 'UDP',
      host: this.local.address,
      port: this.local.port,
    };
  }

  sendRequest(request: SipRequest, destination: Destination): Promise<Destination> {
    this.#record({ message: request, destination });
    if (this.failure === 'throw') throw new TransportError('socket closed', destination);
    if (this.failure === 'reject') return Promise.reject(new TransportError('ICMP unreachable', destination));
    return Promise.resolve(destination);
  }

  sendResponse(response: SipResponse, source: MessageSource): Promise<void> {
    this.#record({ message: response, source });
    const destination: Destination = {
      protocol: source.protocol,
      address: source.address,
      port: source.port,
    };
    if (this.failure === 'throw') throw new TransportError('socket closed', destination);
    if (this.failure === 'reject') return Promise.reject(new TransportError('connection reset', destination));
    return Promise.resolve();
  }

  onDestinationUnreachable(handler: (destination: Destination) => void): void {
    this.#onUnreachable = handler;
  }

  /** Plays an ICMP unreachable for `destination`, as the transport's reachability probe would report it. */
  unreachable(destination: Destination): void {
    this.#onUnreachable?.(destination);
  }

  requests(method?: string): SentRecord[] {
    return this.sent.filter((r) => r.message.kind === 'request' && (!method || r.message.method === method));
  }

  responses(status?: number): SentRecord[] {
    return this.sent.filter((r) => r.message.kind === 'response' && (!status || r.message.status === status));
  }

  /** Clock times of the matching sends. */
  times(records: readonly SentRecord[]): number[] {
    return records.map((r) => r.at);
  }

  #record(entry: { message: SipMessage; destination?: Destination; source?: MessageSource }): void {
    this.sent.push({
      at: this.clock.now(),
      text: serializeMessage(entry.message).toString('utf8'),
      ...entry,
    });
  }
}

/** Everything a client TU heard. */
export class RecordingClientUser implements ClientTransactionUser {
  readonly provisional: SipResponse[] = [];
  readonly finals: SipResponse[] = [];
  readonly events: string[] = [];
  terminated = false;

  constructor(readonly clock?: Clock) {}

  onProvisional(response: SipResponse): void {
    this.provisional.push(response);
    this.events.push(`${response.status}`);
  }

  onFinal(response: SipResponse): void {
    this.finals.push(response);
    this.events.push(`${response.status}`);
  }

  onTerminated(): void {
    this.terminated = true;
    this.events.push('terminated');
  }
}

/** Everything a server TU heard; `answer` decides what to respond to new requests right away. */
export class RecordingServerUser implements ServerTransactionUser {
  readonly requests: { request: SipRequest; transaction: ServerTransaction }[] = [];
  readonly acks: { ack: SipRequest; transaction: ServerTransaction | undefined }[] = [];
  readonly stray2xx: SipResponse[] = [];
  readonly cancels: { cancel: SipRequest; invite: ServerTransaction }[] = [];
  readonly ackTimeouts: ServerTransaction[] = [];
  readonly transportErrors: ServerTransaction[] = [];
  answer: ((request: SipRequest, transaction: ServerTransaction) => void) | undefined;
  onCancelAnswer: ((cancel: SipRequest, invite: ServerTransaction) => void) | undefined;

  onRequest(request: SipRequest, transaction: ServerTransaction): void {
    this.requests.push({ request, transaction });
    this.answer?.(request, transaction);
  }

  onAck(ack: SipRequest, _source: MessageSource, transaction?: ServerTransaction): void {
    this.acks.push({ ack, transaction });
  }

  onStray2xx(response: SipResponse): void {
    this.stray2xx.push(response);
  }

  onCancel(cancel: SipRequest, invite: ServerTransaction): void {
    this.cancels.push({ cancel, invite });
    this.onCancelAnswer?.(cancel, invite);
  }

  onAckTimeout(transaction: ServerTransaction): void {
    this.ackTimeouts.push(transaction);
  }

  onTransportError(transaction: ServerTransaction): void {
    this.transportErrors.push(transaction);
  }
}

/** Lets promise callbacks (transport rejections) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

export interface WireKnobs {
  /** Drop this message? `index` counts messages on the wire (0-based) in send order. */
  readonly drop?: (text: string, index: number) => boolean;
  /** Deliver a second copy? */
  readonly duplicate?: (text: string, index: number) => boolean;
  /** Delivery delay in ms; default 10. */
  readonly delay?: (text: string, index: number) => number;
}

export interface WireTraceEntry {
  readonly at: number;
  readonly from: string;
  readonly firstLine: string;
  readonly fate: 'delivered' | 'dropped' | 'duplicated';
}

/**
 * Two transaction layers joined by an unreliable datagram wire driven by the clock: every message is serialised,
 * maybe dropped or duplicated, delayed, then parsed afresh on the other side.
 */
export class LossyWire {
  readonly trace: WireTraceEntry[] = [];
  knobs: WireKnobs;
  readonly #clock: Clock;
  readonly #endpoints = new Map<string, WireEndpoint>();
  #index = 0;

  constructor(clock: Clock, knobs: WireKnobs = {}) {
    this.#clock = clock;
    this.knobs = knobs;
  }

  endpoint(address: string, port = 5060): WireEndpoint {
    const endpoint = new WireEndpoint(this, address, port);
    this.#endpoints.set(`${address}:${port}`, endpoint);
    return endpoint;
  }

  /** Internal: carries `message` from `from` to the endpoint at address:port. */
  carry(from: WireEndpoint, message: SipMessage, address: string, port: number): void {
    const text = serializeMessage(message).toString('utf8');
    const index = this.#index++;
    const firstLine = text.slice(0, text.indexOf('\r\n'));
    const target = this.#endpoints.get(`${address}:${port}`);
    if (this.knobs.drop?.(text, index)) {
      this.trace.push({ at: this.#clock.now(), from: from.address, firstLine, fate: 'dropped' });
      return;
    }
    const copies = this.knobs.duplicate?.(text, index) ? 2 : 1;
    const delay = this.knobs.delay?.(text, index) ?? 10;
    this.trace.push({
      at: this.#clock.now(),
      from: from.address,
      firstLine,
      fate: copies === 2 ? 'duplicated' : 'delivered',
    });
    for (let copy = 0; copy < copies; copy++) {
      this.#clock.setTimer(delay + copy, () => {
        target?.layer?.receive({
          message: parse(text),
          source: {
            protocol: 'udp',
            address: from.address,
            port: from.port,
            localAddress: address,
            localPort: port,
          },
          size: text.length,
        });
      });
    }
  }
}

export class WireEndpoint implements TransportSender {
  layer: TransactionLayer | undefined;
  readonly sent: SentRecord[] = [];

  constructor(
    readonly wire: LossyWire,
    readonly address: string,
    readonly port: number,
  ) {}

  sentBy(): SentBy {
    return { transport: 'UDP', host: this.address, port: this.port };
  }

  sendRequest(request: SipRequest, destination: Destination): Promise<Destination> {
    this.wire.carry(this, request, destination.address, destination.port);
    return Promise.resolve(destination);
  }

  sendResponse(response: SipResponse, source: MessageSource): Promise<void> {
    // RFC 3581: the response goes back to where the request came from.
    this.wire.carry(this, response, source.address, source.port);
    return Promise.resolve();
  }
}

/** A layer on a ManualClock and a FakeTransport, with a recording server TU, state-change log and logger. */
export function setup(
  options: {
    timers?: Partial<TimerSettings>;
    local?: { address: string; port: number };
    maxServerTransactions?: number;
    retryAfterSeconds?: number;
  } = {},
) {
  const clock = new ManualClock();
  const transport = new FakeTransport(clock, options.local);
  const server = new RecordingServerUser();
  const changes: TransactionStateChange[] = [];
  const logs: string[] = [];
  const layer = new TransactionLayer({
    clock,
    random: new SeededRandom(7),
    transport,
    user: server,
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.maxServerTransactions !== undefined
      ? { maxServerTransactions: options.maxServerTransactions }
      : {}),
    ...(options.retryAfterSeconds !== undefined ? { retryAfterSeconds: options.retryAfterSeconds } : {}),
    logger: { log: (level, message) => logs.push(`${level}: ${message}`) },
    onStateChanged: (change) => changes.push(change),
  });
  const receive = (message: SipMessage, protocol: 'udp' | 'tcp' = 'udp') =>
    layer.receive({ message, source: sourceOf(protocol), size: 0 });
  return { clock, transport, server, layer, changes, logs, receive };
}

/** The request as the peer sees it (for building its responses). */
export function wireRequest(transport: FakeTransport, method: string, index = 0): SipRequest {
  const record = transport.requests(method)[index];
  if (!record) throw new Error(`no ${method} #${index} was sent`);
  return parse(record.text) as SipRequest;
}
