// The subscriber's side of presence on a ManualClock without sockets: a SubscriptionUsage on a UasCore and DialogSet,
// a sender that records what we send and lets the test answer it, and a way to deliver a NOTIFY built from the
// SUBSCRIBE as it went out (any body, any Content-Type). For tests of the watchers built on Subscription.
import { SubscriptionUsage } from '../../main/presence/subscription-usage';
import { DialogSet } from '../../main/sip/dialog/dialog-set';
import { createResponse } from '../../main/sip/message/builders';
import type { SipRequest, SipResponse } from '../../main/sip/message/message';
import { parseMessage } from '../../main/sip/message/parse';
import { serializeMessage } from '../../main/sip/message/serialize';
import { type SipUri, parseUri } from '../../main/sip/message/uri';
import type { Destination } from '../../main/sip/transport/types';
import { NoNameResolver } from '../../main/ua/next-hop';
import { RequestFactory } from '../../main/ua/request-factory';
import type { RequestOutcomeListener, RequestSender } from '../../main/ua/request-sender';
import { UasCore } from '../../main/ua/uas-core';
import { ManualClock } from './manual-clock';
import { SeededRandom } from './seeded-random';

export function sipUri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed.ok || parsed.value.scheme !== 'sip') throw new Error(text);
  return parsed.value as SipUri;
}

/** Through the wire format and back, as the peer would see it. */
export function wire<T extends SipRequest | SipResponse>(message: T): T {
  const parsed = parseMessage(serializeMessage(message));
  if (!parsed.ok) throw new Error(parsed.error.reason);
  return parsed.message as T;
}

export interface SentRequest {
  readonly request: SipRequest;
  readonly destination: Destination;
  readonly listener: RequestOutcomeListener;
}

export class RecordingSender implements RequestSender {
  readonly sent: SentRequest[] = [];

  sendRequest(request: SipRequest, destination: Destination, listener: RequestOutcomeListener): void {
    request.prependHeader('Via', `SIP/2.0/UDP 127.0.0.1:5099;branch=z9hG4bK${this.sent.length}`);
    this.sent.push({ request: wire(request), destination, listener });
  }

  get last(): SentRequest {
    const last = this.sent.at(-1);
    if (!last) throw new Error('nothing sent');
    return last;
  }

  answer(sent: SentRequest, status: number, headers: Array<[string, string]> = [], toTag = 'n1'): void {
    sent.listener.onFinal(wire(createResponse(sent.request, status, { toTag, headers })));
  }
}

export interface NotifySpec {
  readonly cseq?: number;
  readonly state?: string;
  readonly body?: string | Uint8Array;
  readonly contentType?: string;
  readonly fromTag?: string;
  /** Further header lines, e.g. `Require: eventlist`. */
  readonly headers?: readonly string[];
}

export function subscriberHarness() {
  const clock = new ManualClock();
  const random = new SeededRandom(5);
  const core = new UasCore({ newTag: () => random.token(10) });
  const dialogs = new DialogSet();
  core.setDialogLookup(dialogs.hasDialogFor);
  const sender = new RecordingSender();
  const usage = new SubscriptionUsage({
    core,
    dialogs,
    sender,
    clock,
    random,
    resolver: new NoNameResolver(),
  });
  const requests = new RequestFactory({
    random,
    identity: { aor: sipUri('sip:alice@example.test') },
    contactAddress: () => ({ host: '127.0.0.1', port: 5099 }),
    capabilities: () => ({ allow: core.allow, supported: core.supported }),
  });
  const account = {
    requests,
    password: 'secret',
    outboundProxy: sipUri('sip:127.0.0.1:5060'),
    transport: 'udp' as const,
    backoff: { baseMs: 1_000, maxMs: 8_000 },
  };
  /** The notifier sends a NOTIFY in the dialog of `subscribe`; returns our answers' status codes. */
  const notify = (subscribe: SipRequest, spec: NotifySpec = {}): number[] => {
    const body =
      typeof spec.body === 'string' ? new TextEncoder().encode(spec.body) : (spec.body ?? new Uint8Array());
    const head = [
      'NOTIFY sip:alice@127.0.0.1:5099 SIP/2.0',
      `Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKn${random.token(8)}`,
      'Max-Forwards: 70',
      `From: <sip:list@example.test>;tag=${spec.fromTag ?? 'n1'}`,
      `To: <sip:alice@example.test>;tag=${subscribe.from.tag}`,
      `Call-ID: ${subscribe.callId}`,
      `CSeq: ${spec.cseq ?? 1} NOTIFY`,
      'Contact: <sip:list@127.0.0.1:5070>',
      'Event: presence',
      `Subscription-State: ${spec.state ?? 'active;expires=600'}`,
      ...(spec.headers ?? []),
      ...(body.length > 0 ? [`Content-Type: ${spec.contentType ?? 'application/pidf+xml'}`] : []),
      `Content-Length: ${body.length}`,
    ];
    const bytes = Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body)]);
    const parsed = parseMessage(bytes);
    if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('bad NOTIFY');
    const statuses: number[] = [];
    core.receive(parsed.message, { respond: (response) => statuses.push(response.status) });
    return statuses;
  };
  return { clock, core, dialogs, sender, usage, account, notify };
}
