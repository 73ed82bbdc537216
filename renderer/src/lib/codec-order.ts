// An account's codec preference as the editor shows it: every codec the engine knows, in the order calls offer
// them, each on or off. The engine's `codecs` holds only the ones on, best first; the ones off keep their place
// after them so turning one back on is one click. Moves and toggles return a new list (the form compares lists).
import type { CallCodec } from '../../../main/contract/contract';
import { CALL_CODECS } from '../../../main/contract/limits';

export interface CodecChoice {
  readonly codec: CallCodec;
  readonly on: boolean;
}

const LABELS: Record<CallCodec, string> = {
  opus: 'Opus',
  pcmu: 'G.711 µ-law (PCMU)',
  pcma: 'G.711 A-law (PCMA)',
};

const HINTS: Record<CallCodec, string> = {
  opus: 'Wideband, copes best with loss; most modern phones have it.',
  pcmu: 'Narrowband; what nearly every phone and provider speaks, common in North America.',
  pcma: 'Narrowband; what nearly every phone and provider speaks, common in Europe.',
};

export function codecLabel(codec: CallCodec): string {
  return LABELS[codec];
}

export function codecHint(codec: CallCodec): string {
  return HINTS[codec];
}

/** The editor's list for an account's codecs: those on in their order, then the others, off. */
export function codecChoices(codecs: readonly CallCodec[]): CodecChoice[] {
  const on = codecs.filter((codec, index) => CALL_CODECS.includes(codec) && codecs.indexOf(codec) === index);
  const off = CALL_CODECS.filter((codec) => !on.includes(codec));
  return [...on.map((codec) => ({ codec, on: true })), ...off.map((codec) => ({ codec, on: false }))];
}

/** The codecs the engine is given: the ones on, best first. */
export function enabledCodecs(choices: readonly CodecChoice[]): CallCodec[] {
  return choices.filter((choice) => choice.on).map((choice) => choice.codec);
}

/** The list with the codec at `index` moved one place up (-1) or down (+1); unchanged at either end. */
export function moveCodec(choices: readonly CodecChoice[], index: number, by: -1 | 1): CodecChoice[] {
  const target = index + by;
  if (index < 0 || index >= choices.length || target < 0 || target >= choices.length) return [...choices];
  const next = [...choices];
  [next[index], next[target]] = [next[target]!, next[index]!];
  return next;
}

/** The list with the codec at `index` turned on or off; the last codec on stays on (a call needs one). */
export function toggleCodec(choices: readonly CodecChoice[], index: number, on: boolean): CodecChoice[] {
  const choice = choices[index];
  if (!choice || choice.on === on) return [...choices];
  if (!on && enabledCodecs(choices).length === 1) return [...choices];
  return choices.map((other, at) => (at === index ? { ...other, on } : other));
}

/** Whether the codec at `index` is the only one on, so it cannot be turned off. */
export function isLastOn(choices: readonly CodecChoice[], index: number): boolean {
  return choices[index]?.on === true && enabledCodecs(choices).length === 1;
}
