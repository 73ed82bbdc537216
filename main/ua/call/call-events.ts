// The events a call emits, and the small typed listener table behind `Call.on`. A listener that throws is the
// listener's problem: it is isolated so the call (and the other listeners) carry on.
import type { DtmfDigit } from '../../media/media-seams';
import type { NegotiatedMedia } from '../../sdp/negotiated-media';
import type { CallEnd, CallStateName } from './call-state';

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
