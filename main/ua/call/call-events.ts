// The events a call emits, and the small typed listener table behind `Call.on`. A listener that throws is the
// listener's problem: it is isolated so the call (and the other listeners) carry on.
import type { DtmfDigit } from '../../media/media-seams';
import type { NegotiatedMedia } from '../../sdp/negotiated-media';
import type { Call } from './call';
import type { CallEnd, CallStateName } from './call-state';

/** A blind transfer (RFC 3515) seen from either side. */
export type TransferEvent =
  /** We asked the far end to call `target`: the REFER was accepted, the referred call progresses, then ends. */
  | {
      readonly role: 'transferor';
      readonly state: 'accepted' | 'progress' | 'succeeded' | 'failed';
      /** The REFER's status, or the referred call's (from the NOTIFY's sipfrag). */
      readonly status?: number;
    }
  /** The far end asked us to call someone: `call` is that new outgoing call. */
  | { readonly role: 'transferee'; readonly call: Call };

export interface CallEventMap {
  /** The call moved (see call-state.ts). */
  readonly state: { readonly from: CallStateName; readonly to: CallStateName };
  /** A provisional response to our INVITE (100, 180 Ringing, 183 Session Progress, ...). */
  readonly progress: { readonly status: number; readonly reason: string };
  /** A new agreement on media (start, hold, resume, new codec or address). */
  readonly media: NegotiatedMedia;
  /** Who holds the call changed. */
  readonly hold: { readonly local: boolean; readonly remote: boolean };
  /** A DTMF digit arrived by SIP INFO. */
  readonly dtmf: DtmfDigit;
  /** An INVITE with Replaces took this call's place (RFC 3891): the new call; this one ends with `replaced`. */
  readonly replaced: Call;
  /** A blind transfer moved on (see TransferEvent). */
  readonly transfer: TransferEvent;
  /** The call is over; always the last event. */
  readonly ended: CallEnd;
}

export class Listeners<Events extends object> {
  readonly #table = new Map<keyof Events, Set<(payload: never) => void>>();

  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): () => void {
    let set = this.#table.get(event);
    if (!set) {
      set = new Set();
      this.#table.set(event, set);
    }
    set.add(listener as (payload: never) => void);
    return () => set.delete(listener as (payload: never) => void);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    for (const listener of [...(this.#table.get(event) ?? [])]) {
      try {
        (listener as (payload: Events[K]) => void)(payload);
      } catch {
        // A listener's failure must not stop the call's own work, nor the listeners after it.
      }
    }
  }
}
