// What the desktop shell tells the person about calls outside the window: a system notification when a call rings
// and the window is not focused, another when a call was missed, and, for the tray, the calls ringing now and how
// many were missed since the window was last in front of the person. It follows the engine's `call.changed`
// events; the window's focus comes in through `windowFocused()`. Every name from the network goes through the
// contract's peer-text cleaning (text only, bounded) before it reaches the operating system.
import type { CallDto, EngineEventSource } from '../contract/contract';
import { peerAddress, peerTitle } from '../contract/peer-text';
import type { Notifier } from './notifications';

/** A ringing call as the tray shows it. */
export interface RingingCall {
  readonly id: string;
  /** Cleaned and bounded: the display name, else the address. */
  readonly title: string;
}

export interface CallAlertsOptions {
  readonly events: EngineEventSource;
  readonly notifier: Notifier;
  /** Whether the window has the focus now (nothing to notify then: the prompt is on screen). */
  readonly isWindowFocused: () => boolean;
  /** Called when a notification for a ringing call is clicked: bring the window (and its prompt) forward. */
  readonly onOpenCall?: (callId: string) => void;
}

/** The caller as one notification line: "Bob (bob@example.com)", or the address alone. */
export function callerLine(call: Pick<CallDto, 'peerName' | 'peerUri'>): string {
  const title = peerTitle(call);
  const address = peerAddress(call);
  return title === address ? address : `${title} (${address})`;
}

export class CallAlerts {
  readonly #ringing = new Map<string, RingingCall>();
  readonly #listeners = new Set<() => void>();
  readonly #unsubscribe: () => void;
  #missed = 0;

  constructor(private readonly options: CallAlertsOptions) {
    this.#unsubscribe = options.events.subscribe((name, payload) => {
      if (name === 'call.changed') this.#callChanged(payload as CallDto);
    });
  }

  /** Calls ringing here now, oldest first. */
  get ringing(): readonly RingingCall[] {
    return [...this.#ringing.values()];
  }

  /** Calls missed since the window last had the focus. */
  get missedCount(): number {
    return this.#missed;
  }

  /** Listens for changes of `ringing` and `missedCount`; returns the function that stops listening. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** The window came to the front: the person sees the history's badge now, so the tray's count starts again. */
  windowFocused(): void {
    if (this.#missed === 0) return;
    this.#missed = 0;
    this.#changed();
  }

  dispose(): void {
    this.#unsubscribe();
    this.#listeners.clear();
  }

  #callChanged(call: CallDto): void {
    const wasRinging = this.#ringing.has(call.id);
    if (call.state === 'incoming') {
      if (wasRinging) return;
      this.#ringing.set(call.id, { id: call.id, title: peerTitle(call) });
      if (!this.options.isWindowFocused()) this.#notifyIncoming(call);
      this.#changed();
      return;
    }
    if (wasRinging) this.#ringing.delete(call.id);
    const missed = call.state === 'ended' && call.direction === 'incoming' && call.end?.reason === 'missed';
    if (missed) {
      if (!this.options.isWindowFocused()) {
        this.#missed += 1;
        this.options.notifier.notify('Missed call', callerLine(call));
      }
    }
    if (wasRinging || missed) this.#changed();
  }

  #notifyIncoming(call: CallDto): void {
    const onOpenCall = this.options.onOpenCall;
    this.options.notifier.notify(
      'Incoming call',
      callerLine(call),
      onOpenCall ? () => onOpenCall(call.id) : undefined,
    );
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
