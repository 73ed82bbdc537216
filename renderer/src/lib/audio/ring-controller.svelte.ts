// Rings while it should: follows the calls, the accounts' do-not-disturb, the chosen output devices and the "ring on
// the default device too" setting, and tells the RingtonePlayer to play the tone ring-choice.ts picks, or to stop
// (answered, declined, cancelled, ended, do-not-disturb switched on). `announcement` is a short sentence for a
// polite live region: whether the tone is on, and why it stays silent when the browser holds it back.
import { untrack } from 'svelte';
import type { AccountDto, CallDto, SettingsDto } from '../../../../main/contract/contract';
import type { RingPattern } from './ring-cadence';
import { ringFor, ringSinks } from './ring-choice';
import type { RingPlayback } from './ringtone';

/** Where sound goes, as the audio device settings decide ('' = the system default). */
export interface RingOutputs {
  readonly ringerSinkId: string;
  readonly speakerSinkId: string;
}

/** Until the device settings are wired in, everything plays on the default output. */
export const defaultRingOutputs: RingOutputs = { ringerSinkId: '', speakerSinkId: '' };

export interface RingSources {
  readonly calls: { readonly list: readonly CallDto[] };
  readonly accounts: { readonly list: readonly AccountDto[] };
  readonly settings: { readonly value: SettingsDto | null };
  readonly outputs: RingOutputs;
}

export interface RingPlayer {
  play(pattern: RingPattern, sinkIds: readonly string[]): Promise<RingPlayback>;
  stop(): void;
}

/** What the live region says when the playback changes; '' says nothing. */
export function ringAnnouncement(playback: RingPlayback, pattern: RingPattern | null): string {
  switch (playback) {
    case 'playing':
      if (pattern === 'ring') return 'Ringtone on.';
      if (pattern === 'call-waiting') return 'Call-waiting tone on.';
      return '';
    case 'blocked':
      return 'The ringtone is silent until you click or press a key in this window once.';
    case 'unavailable':
      return 'This window cannot play the ringtone.';
    case 'stopped':
      return pattern === 'ring' || pattern === 'call-waiting' ? 'Ringtone off.' : '';
  }
}

export class RingController {
  /** The tone asked for now, or null for silence. */
  pattern = $state<RingPattern | null>(null);
  playback = $state<RingPlayback>('stopped');
  announcement = $state('');
  #key = '';
  /** The pattern the last announcement was about (a 'stopped' after a ring says so). */
  #announced: RingPattern | null = null;

  constructor(
    private readonly sources: RingSources,
    private readonly player: RingPlayer,
  ) {}

  /** The tone and outputs wanted for the state of things now. */
  wanted(): { readonly pattern: RingPattern | null; readonly sinks: readonly string[] } {
    const { calls, accounts, settings, outputs } = this.sources;
    const pattern = ringFor(calls.list, accounts.list);
    if (pattern === null) return { pattern, sinks: [] };
    const onDefaultToo = settings.value?.ringOnDefaultDevice ?? false;
    return { pattern, sinks: ringSinks(pattern, outputs.ringerSinkId, outputs.speakerSinkId, onDefaultToo) };
  }

  /** Follows the sources until the returned function is called; then the tone stops. */
  start(): () => void {
    const stopEffects = $effect.root(() => {
      $effect(() => {
        const { pattern, sinks } = this.wanted();
        untrack(() => this.#apply(pattern, sinks));
      });
    });
    return () => {
      stopEffects();
      this.#apply(null, []);
    };
  }

  #apply(pattern: RingPattern | null, sinks: readonly string[]): void {
    const key = pattern === null ? '' : `${pattern}|${sinks.join('|')}`;
    if (key === this.#key) return;
    this.#key = key;
    this.pattern = pattern;
    if (pattern === null) {
      this.player.stop();
      this.#report('stopped', this.#announced);
      return;
    }
    void this.player.play(pattern, sinks).then((playback) => {
      if (this.#key === key) this.#report(playback, pattern);
    });
  }

  /**
   * For the player's own changes while a tone is wanted (the browser lets a held context run after a click);
   * stopping is reported by the controller itself, when it asks for it.
   */
  playbackChanged(playback: RingPlayback): void {
    if (this.pattern !== null && playback !== 'stopped') this.#report(playback, this.pattern);
  }

  #report(playback: RingPlayback, pattern: RingPattern | null): void {
    if (playback === this.playback && pattern === this.#announced) return;
    this.playback = playback;
    this.#announced = pattern;
    const text = ringAnnouncement(playback, pattern);
    if (text !== '') this.announcement = text;
  }
}
