// A small registrar and presence server on the LoopbackNetwork, for tests of the engine's presence: REGISTER → 200;
// SUBSCRIBE to `presence` or `presence.winfo` → 200 then a NOTIFY with the current document (and a NOTIFY to every
// subscription of a presentity when its PUBLISH changes it); PUBLISH with entity-tags (RFC 3903: initial, refresh,
// modify, remove, 412 for a tag it does not know; or `publishStatus` for all). `restart()` forgets every dialog and tag, as a server restarted
// without a database would, so refreshes then get 481 and 412. It checks no credentials. A `lists` entry makes a
// user part a resource list (RFC 4662): its NOTIFYs are full-state multipart/related RLMI documents of its members,
// sent again whenever a member publishes.
import type { DatagramSocket, SocketAddress } from '../../main/platform/sockets';
import { createResponse } from '../../main/sip/message/builders';
import type { SipRequest } from '../../main/sip/message/message';
import { parseMessage } from '../../main/sip/message/parse';
import { serializeMessage } from '../../main/sip/message/serialize';
import { formatUri, isSipUri } from '../../main/sip/message/uri';
import { listBody } from './list-bodies';
import type { LoopbackNetwork } from './loopback-network';

const encoder = new TextEncoder();

export interface ServerSubscription {
  readonly callId: string;
  readonly event: 'presence' | 'presence.winfo';
  /** The presentity's user part. */
  readonly target: string;
  /** The watcher's address-of-record. */
  readonly watcher: string;
  readonly subscriberTag: string;
  readonly serverTag: string;
  readonly contact: string;
  readonly from: SocketAddress;
  cseq: number;
}

export class PresenceServer {
  readonly received: SipRequest[] = [];
  readonly subscriptions = new Map<string, ServerSubscription>();
  /** The published document per presentity (user part). */
  readonly documents = new Map<string, string>();
  readonly #etags = new Map<string, string>();
  readonly #socket: DatagramSocket;
  #next = 1;
  #winfoVersion = 0;
  /** When set, SUBSCRIBE and PUBLISH get no answer (a server that is down). */
  silent = false;
  /** Presentities (user parts) whose watchers are refused with 403. */
  readonly refused = new Set<string>();
  /** When set, REGISTER is answered with this status instead of 200. */
  registerStatus: number | undefined;
  /** Resource lists: a list's user part → its members' user parts. */
  readonly lists = new Map<string, string[]>();
  /** SUBSCRIBEs to these user parts are answered with the status given (404, 489: a list the server does not have). */
  readonly subscribeStatus = new Map<string, number>();
  /** When set, PUBLISH is answered with this status (489, 501: a server without presence publication). */
  publishStatus: number | undefined;

  private constructor(socket: DatagramSocket) {
    this.#socket = socket;
    socket.onMessage((data, from) => {
      const parsed = parseMessage(data);
      if (!parsed.ok || parsed.message.kind !== 'request') return;
      this.received.push(parsed.message);
      this.#receive(parsed.message, from);
    });
  }

  static async start(network: LoopbackNetwork, address: string, port = 5060): Promise<PresenceServer> {
    return new PresenceServer(await network.bindDatagram(address, port));
  }

  get address(): SocketAddress {
    return this.#socket.local;
  }

  requests(method: string, event?: string): SipRequest[] {
    return this.received.filter(
      (request) => request.method === method && (event === undefined || request.event?.event === event),
    );
  }

  /** Live presence subscriptions to `target` (a user part). */
  watchersOf(target: string): ServerSubscription[] {
    return [...this.subscriptions.values()].filter((s) => s.event === 'presence' && s.target === target);
  }

  /** Forgets every subscription and publication, as a server restarted without its database. */
  restart(): void {
    this.subscriptions.clear();
    this.#etags.clear();
    this.documents.clear();
  }

  close(): void {
    this.#socket.close();
  }

  #receive(request: SipRequest, from: SocketAddress): void {
    switch (request.method) {
      case 'REGISTER':
        if (this.registerStatus !== undefined) {
          this.#reply(request, from, this.registerStatus);
          return;
        }
        this.#reply(request, from, 200, [
          ['Contact', `${request.header('contact')};expires=${request.expires === 0 ? 0 : 600}`],
        ]);
        return;
      case 'SUBSCRIBE':
        if (!this.silent) this.#subscribe(request, from);
        return;
      case 'PUBLISH':
        if (this.silent) return;
        if (this.publishStatus !== undefined) this.#reply(request, from, this.publishStatus);
        else this.#publish(request, from);
        return;
      default:
        return;
    }
  }

  #subscribe(request: SipRequest, from: SocketAddress): void {
    const event = request.event?.event;
    if (event !== 'presence' && event !== 'presence.winfo') {
      this.#reply(request, from, 489);
      return;
    }
    const expires = request.expires ?? 3_600;
    const toTag = request.to.tag;
    let subscription: ServerSubscription | undefined;
    if (toTag !== undefined) {
      subscription = this.subscriptions.get(request.callId);
      if (!subscription || subscription.serverTag !== toTag) {
        this.#reply(request, from, 481);
        return;
      }
    } else {
      const target = request.requestUri;
      const watcher = request.from.uri;
      const contact = request.contact[0]?.uri;
      if (!isSipUri(target) || !isSipUri(watcher) || !contact) {
        this.#reply(request, from, 400);
        return;
      }
      if (this.refused.has(target.user ?? '')) {
        this.#reply(request, from, 403);
        return;
      }
      const status = this.subscribeStatus.get(target.user ?? '');
      if (status !== undefined) {
        this.#reply(request, from, status);
        return;
      }
      subscription = {
        callId: request.callId,
        event,
        target: target.user ?? '',
        watcher: formatUri({ ...watcher, params: new Map(), headers: new Map() }),
        subscriberTag: request.from.tag ?? '',
        serverTag: `srv${this.#next++}`,
        contact: formatUri(contact),
        from,
        cseq: 0,
      };
      this.subscriptions.set(request.callId, subscription);
    }
    this.#reply(request, from, 200, [['Expires', String(expires)]], subscription.serverTag);
    if (expires === 0) {
      this.subscriptions.delete(subscription.callId);
      this.#notify(subscription, 'terminated;reason=timeout');
      this.#notifyWinfo(subscription.target);
      return;
    }
    this.#notify(subscription, `active;expires=${expires}`);
    if (toTag === undefined && event === 'presence') this.#notifyWinfo(subscription.target);
  }

  #publish(request: SipRequest, from: SocketAddress): void {
    const target = request.requestUri;
    const user = isSipUri(target) ? (target.user ?? '') : '';
    const ifMatch = request.header('sip-if-match')?.trim();
    const expires = request.expires ?? 3_600;
    if (ifMatch !== undefined && this.#etags.get(user) !== ifMatch) {
      this.#reply(request, from, 412);
      return;
    }
    if (expires === 0) {
      this.#etags.delete(user);
      this.documents.delete(user);
      this.#reply(request, from, 200, [['SIP-ETag', ifMatch ?? 'gone']]);
    } else {
      const etag = ifMatch ?? `etag${this.#next++}`;
      this.#etags.set(user, etag);
      if (request.bodyText !== '') this.documents.set(user, request.bodyText);
      this.#reply(request, from, 200, [
        ['SIP-ETag', etag],
        ['Expires', String(expires)],
      ]);
    }
    for (const subscription of this.watchersOf(user)) this.#notify(subscription, 'active;expires=600');
    for (const [list, members] of this.lists)
      if (members.includes(user))
        for (const subscription of this.watchersOf(list)) this.#notify(subscription, 'active;expires=600');
  }

  #notifyWinfo(target: string): void {
    for (const subscription of this.subscriptions.values())
      if (subscription.event === 'presence.winfo' && subscription.target === target)
        this.#notify(subscription, 'active;expires=600');
  }

  #notify(subscription: ServerSubscription, state: string): void {
    const members = subscription.event === 'presence' ? this.lists.get(subscription.target) : undefined;
    const list = members
      ? listBody({
          uri: `sip:${subscription.target}@example.test`,
          version: subscription.cseq,
          fullState: true,
          resources: members.map((member) => {
            const pidf = this.documents.get(member);
            return {
              uri: `sip:${member}@example.test`,
              ...(pidf ? { pidf } : { state: 'pending' as const }),
            };
          }),
        })
      : undefined;
    const body =
      list?.body ??
      (subscription.event === 'presence'
        ? this.documents.get(subscription.target)
        : this.#winfo(subscription.target));
    const contentType =
      list?.contentType ??
      (subscription.event === 'presence' ? 'application/pidf+xml' : 'application/watcherinfo+xml');
    subscription.cseq++;
    const lines = [
      `NOTIFY ${subscription.contact} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.address.address}:${this.address.port};branch=z9hG4bKpn${this.#next++}`,
      'Max-Forwards: 70',
      `From: <sip:${subscription.target}@example.test>;tag=${subscription.serverTag}`,
      `To: <${subscription.watcher}>;tag=${subscription.subscriberTag}`,
      `Call-ID: ${subscription.callId}`,
      `CSeq: ${subscription.cseq} NOTIFY`,
      `Contact: <sip:presence@${this.address.address}:${this.address.port}>`,
      `Event: ${subscription.event}`,
      `Subscription-State: ${state}`,
      ...(list ? ['Require: eventlist'] : []),
      ...(body === undefined ? [] : [`Content-Type: ${contentType}`]),
      `Content-Length: ${body === undefined ? 0 : Buffer.byteLength(body)}`,
    ];
    const text = `${lines.join('\r\n')}\r\n\r\n${body ?? ''}`;
    this.#socket.send(encoder.encode(text), subscription.from.port, subscription.from.address);
  }

  #winfo(target: string): string {
    const watchers = this.watchersOf(target)
      .map((s) => `<watcher id="${s.serverTag}" event="subscribe" status="active">${s.watcher}</watcher>`)
      .join('');
    const version = this.#winfoVersion++;
    return (
      `<?xml version="1.0"?><watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="${version}" state="full">` +
      `<watcher-list resource="sip:${target}@example.test" package="presence">${watchers}</watcher-list></watcherinfo>`
    );
  }

  #reply(
    request: SipRequest,
    from: SocketAddress,
    status: number,
    headers: Array<readonly [string, string]> = [],
    toTag = 'srv',
  ): void {
    const response = createResponse(request, status, {
      toTag,
      headers: [
        ...headers,
        ...(status === 200 && request.method === 'SUBSCRIBE'
          ? [['Contact', `<sip:presence@${this.address.address}:${this.address.port}>`] as const]
          : []),
      ],
    });
    this.#socket.send(serializeMessage(response), from.port, from.address);
  }
}
