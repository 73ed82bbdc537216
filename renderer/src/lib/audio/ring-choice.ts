// Which tone the window should make for the calls as they are: the ring for a call ringing here, a discreet beep
// instead when another call is already up (call waiting), the ring-back tone while the far end of our call rings
// and sends no early media of its own, or silence. A call on an account in do-not-disturb never rings.
import type { AccountDto, CallDto } from '../../../../main/contract/contract';
import type { RingPattern } from './ring-cadence';

export function ringFor(
  calls: readonly CallDto[],
  accounts: readonly Pick<AccountDto, 'id' | 'doNotDisturb'>[],
): RingPattern | null {
  const quiet = new Set(accounts.filter((account) => account.doNotDisturb).map((account) => account.id));
  const live = calls.filter((call) => call.state !== 'ended');
  const ringingHere = live.some(
    (call) => call.state === 'incoming' && (call.accountId === null || !quiet.has(call.accountId)),
  );
  if (ringingHere) return live.some((call) => call.state !== 'incoming') ? 'call-waiting' : 'ring';
  // 'early-media' is the far end's own audio (its ring-back or an announcement): we add nothing to it.
  if (live.some((call) => call.direction === 'outgoing' && call.state === 'ringing')) return 'ringback';
  return null;
}

/** The outputs to ring on: the chosen ringer device, and the default one too when the setting asks for it. */
export function ringSinks(
  pattern: RingPattern,
  ringerSinkId: string,
  speakerSinkId: string,
  onDefaultToo: boolean,
): string[] {
  // The ring-back and call-waiting tones belong in the ear of the person on the call, not on the room's ringer.
  if (pattern !== 'ring') return [speakerSinkId];
  return onDefaultToo && ringerSinkId !== '' ? [ringerSinkId, ''] : [ringerSinkId];
}
