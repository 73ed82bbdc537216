// Which call this window hears. Of the calls under way, the one that is up and not held (connected, or playing
// early media, or mid-transfer) gets its audio channel opened and attached to the window's microphone and speaker
// (a CallAudioDevice); when that changes, the channel is detached and closed first. A reloaded window finds its
// calls in `calls.list` and so reopens their audio by the same rule.
//
//   off ──call to hear──► opening ──ok──► live ──hold / end / other call──► (close) ──► off or opening
//                            │              ├──channel closed 'replaced'──► elsewhere (until takeBack or another call)
//                            │              └──channel closed 'disconnected'──► waiting ──link open──► opening
//                            └──fails──► failed (tried again when the call's state changes or the link comes back)
import { untrack } from 'svelte';
import type { CallDto, CallStateName } from '../../../main/contract/contract';
import type { AudioChannel, CallAudioDevice } from './audio-channel';
import type { Bridge, ConnectionState } from './bridge';

/** The call states whose audio the window plays and captures. */
const HEARD: ReadonlySet<CallStateName> = new Set(['connected', 'early-media', 'transferring']);

export type CallAudioStatus =
  | { readonly kind: 'off' }
  | { readonly kind: 'opening'; readonly callId: string }
  | { readonly kind: 'live'; readonly callId: string }
  /** Another window (or tab) took this call's audio; `takeBack()` brings it here again. */
  | { readonly kind: 'elsewhere'; readonly callId: string }
  /** The link to the engine is down; the audio reopens when it is back. */
  | { readonly kind: 'waiting'; readonly callId: string }
  | { readonly kind: 'failed'; readonly callId: string; readonly message: string };

/** The call whose audio should be heard: the first one that is up and not held. */
export function callToHear(calls: readonly CallDto[]): CallDto | null {
  return calls.find((call) => HEARD.has(call.state)) ?? null;
}

export class CallAudioController {
  status = $state<CallAudioStatus>({ kind: 'off' });
  readonly #bridge: Pick<Bridge, 'openAudio' | 'onConnection'>;
  readonly #device: CallAudioDevice;
  #wanted: { readonly id: string; readonly state: CallStateName } | null = null;
  #channel: AudioChannel | null = null;
  /** The call being opened, while its openAudio is under way. */
  #opening: string | null = null;
  /** Bumped whenever an open under way is abandoned, so its late answer is closed, not attached. */
  #generation = 0;
  /** The call another window took; not taken back by itself. */
  #yielded: string | null = null;
  /** `id:state` of the last failed open, so it is not retried in a loop. */
  #failed: string | null = null;
  #linkOpen = false;

  constructor(bridge: Pick<Bridge, 'openAudio' | 'onConnection'>, device: CallAudioDevice) {
    this.#bridge = bridge;
    this.#device = device;
  }

  /** Follows the calls (read reactively) and the link; returns the function that stops and lets go of the audio. */
  start(calls: () => readonly CallDto[]): () => void {
    const stopLink = this.#bridge.onConnection((state) => this.#linkChanged(state));
    const stopCalls = $effect.root(() => {
      $effect(() => {
        const call = callToHear(calls());
        const wanted = call ? { id: call.id, state: call.state } : null;
        // The rest reads and writes state of its own; only the calls should make this effect run again.
        untrack(() => this.update(wanted));
      });
    });
    return () => {
      stopCalls();
      stopLink();
      this.update(null);
    };
  }

  /** Sets the call to hear (null: none) and acts on it; `start` calls it on every change of the calls. */
  update(wanted: { readonly id: string; readonly state: CallStateName } | null): void {
    this.#wanted = wanted;
    this.#sync();
  }

  /** Takes this call's audio back from the window that took it. */
  takeBack(): void {
    this.#yielded = null;
    this.#failed = null;
    this.#sync();
  }

  #linkChanged(state: ConnectionState): void {
    const open = state.kind === 'open';
    if (open && !this.#linkOpen) this.#failed = null;
    this.#linkOpen = open;
    this.#sync();
  }

  #sync(): void {
    const wanted = this.#wanted;
    const wantedId = wanted?.id ?? null;
    if (this.#channel !== null && this.#channel.callId !== wantedId) this.#dropChannel();
    if (this.#opening !== null && this.#opening !== wantedId) {
      this.#generation += 1;
      this.#opening = null;
    }
    if (this.#yielded !== null && this.#yielded !== wantedId) this.#yielded = null;
    if (wanted === null) {
      this.#failed = null;
      this.status = { kind: 'off' };
      return;
    }
    if (this.#yielded === wanted.id) {
      this.status = { kind: 'elsewhere', callId: wanted.id };
      return;
    }
    if (this.#channel !== null || this.#opening !== null) return;
    if (!this.#linkOpen) {
      this.status = { kind: 'waiting', callId: wanted.id };
      return;
    }
    const key = `${wanted.id}:${wanted.state}`;
    if (this.#failed === key) return;
    void this.#open(wanted.id, key);
  }

  async #open(callId: string, key: string): Promise<void> {
    this.#opening = callId;
    const generation = ++this.#generation;
    this.status = { kind: 'opening', callId };
    const result = await this.#bridge.openAudio(callId);
    if (generation !== this.#generation) {
      // Abandoned meanwhile (the call was held, ended or swapped): this channel is nobody's.
      if (result.ok) result.value.close();
      return;
    }
    this.#opening = null;
    if (!result.ok) {
      this.#failed = key;
      this.status = { kind: 'failed', callId, message: result.error.message };
      return;
    }
    const channel = result.value;
    this.#channel = channel;
    channel.onClose((reason) => {
      if (this.#channel !== channel) return;
      this.#channel = null;
      this.#device.detach();
      if (reason === 'replaced') this.#yielded = callId;
      // The bridge reports the link down right after; wait for it to come back rather than queue an open.
      if (reason === 'disconnected') this.#linkOpen = false;
      this.#sync();
    });
    this.#device.attach(channel);
    this.status = { kind: 'live', callId };
  }

  #dropChannel(): void {
    const channel = this.#channel;
    this.#channel = null;
    this.#device.detach();
    channel?.close();
  }
}
