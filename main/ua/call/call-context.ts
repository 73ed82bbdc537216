// What a call needs from the usage that owns it: time, randomness, the transaction layer, the agent's dialogs,
// where requests go, and the tables that route in-dialog traffic, ACKs, CANCELs and stray 2xx back to the call.
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { Random } from '../../platform/random';
import type { DialogId } from '../../sip/dialog/dialog-id';
import type { DialogSet } from '../../sip/dialog/dialog-set';
import type { SipRequest } from '../../sip/message/message';
import type { SipUri } from '../../sip/message/uri';
import type { ClientTransaction, ClientTransactionUser } from '../../sip/transaction/client-transaction';
import type { TimerSettings } from '../../sip/transaction/timers';
import type { Destination } from '../../sip/transport/types';
import type { Call, CallIdentity } from './call';
import type { MediaPortFactory } from './media-port';

/** The part of the transaction layer a call uses. */
export interface CallTransactions {
  sendRequest(request: SipRequest, destination: Destination, user: ClientTransactionUser): ClientTransaction;
  sendAck(ack: SipRequest, destination: Destination): Promise<Destination>;
}

/** The usage's routing tables, as a call sees them. */
export interface CallRegistry {
  /** In-dialog requests and ACKs with this dialog id go to the call. */
  bindDialog(id: DialogId, owner: CallHandle): void;
  unbindDialog(id: DialogId): void;
  /** Stray 2xx for this Call-ID and From tag (our INVITE's forks) go to the call. */
  bindInvite(callId: string, localTag: string, owner: CallHandle): void;
  /** The call has ended: forget every entry it holds. */
  released(owner: CallHandle): void;
}

/** Anything the registry can hand traffic to: a Call. */
export interface CallHandle {
  readonly id: string;
}

export interface CallContext {
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly timers: TimerSettings;
  readonly transactions: CallTransactions;
  readonly dialogs: DialogSet;
  readonly media: MediaPortFactory;
  readonly registry: CallRegistry;
  /** Starts the call a REFER asks for (RFC 3515), as the same identity, with the REFER's Referred-By. */
  readonly referred: (
    target: SipUri,
    identity: CallIdentity,
    referredBy: string | undefined,
    replaces: string | undefined,
  ) => Call;
  /** The next hop for a URI: IP literals as they are, names through the agent's resolver. */
  readonly resolveHop: (uri: SipUri, protocol: Destination['protocol']) => Promise<Destination>;
}
