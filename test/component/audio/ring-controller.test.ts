// Which tone rings when, through the RingController fed by the real state classes: ring for a call ringing here,
// the call-waiting beep during a call, ring-back while the far end rings without early media, silence on answer,
// decline, cancel, end and do-not-disturb; the outputs from the devices and the "default device too" setting; and
// what the live region says.
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { CallDto } from '../../../main/contract/contract';
import type { RingPattern } from '../../../renderer/src/lib/audio/ring-cadence';
import { ringFor, ringSinks } from '../../../renderer/src/lib/audio/ring-choice';
import {
  type RingOutputs,
  type RingPlayer,
  RingController,
  ringAnnouncement,
} from '../../../renderer/src/lib/audio/ring-controller.svelte';
import type { RingPlayback } from '../../../renderer/src/lib/audio/ringtone';
import { AccountsState } from '../../../renderer/src/lib/state/accounts.svelte';
import { CallsState } from '../../../renderer/src/lib/state/calls.svelte';
import { SettingsState } from '../../../renderer/src/lib/state/settings.svelte';
import { account, call, DEFAULT_SETTINGS, FakeEngine } from '../support/fake-engine';

describe('ringFor', () => {
  const incoming = call({ id: 'in', direction: 'incoming', state: 'incoming', accountId: 'a' });
  const talking = call({ id: 'up', state: 'connected', answeredAt: 1, accountId: 'a' });
  const accounts = [account({ id: 'a' }), account({ id: 'quiet', doNotDisturb: true })];

  it.each<[string, CallDto[], RingPattern | null]>([
    ['nothing', [], null],
    ['a call ringing here', [incoming], 'ring'],
    ['a second call during a call', [talking, incoming], 'call-waiting'],
    ['our call ringing at the far end', [call({ id: 'o', state: 'ringing' })], 'ringback'],
    ['our call with early media', [call({ id: 'o', state: 'early-media' })], null],
    ['our call still dialing', [call({ id: 'o', state: 'dialing' })], null],
    ['a connected call', [talking], null],
    ['an ended call', [{ ...incoming, state: 'ended' }], null],
    ['a call on an account in do-not-disturb', [{ ...incoming, accountId: 'quiet' }], null],
    ['a direct call to our address', [{ ...incoming, accountId: null }], 'ring'],
  ])('%s → %s', (_what, calls, pattern) => {
    expect(ringFor(calls, accounts)).toBe(pattern);
  });
});

describe('ringSinks', () => {
  it('rings on the ringer device, and on the default as well when asked', () => {
    expect(ringSinks('ring', 'usb', 'headset', false)).toEqual(['usb']);
    expect(ringSinks('ring', 'usb', 'headset', true)).toEqual(['usb', '']);
    expect(ringSinks('ring', '', 'headset', true)).toEqual(['']);
  });

  it('plays the ring-back and call-waiting tones in the call speaker only', () => {
    expect(ringSinks('ringback', 'usb', 'headset', true)).toEqual(['headset']);
    expect(ringSinks('call-waiting', 'usb', 'headset', true)).toEqual(['headset']);
  });
});

describe('ringAnnouncement', () => {
  it('words the states politely and says nothing for the ring-back', () => {
    expect(ringAnnouncement('playing', 'ring')).toBe('Ringtone on.');
    expect(ringAnnouncement('playing', 'ringback')).toBe('');
    expect(ringAnnouncement('stopped', 'ring')).toBe('Ringtone off.');
    expect(ringAnnouncement('blocked', 'ring')).toMatch(/click or press a key/);
    expect(ringAnnouncement('unavailable', 'ring')).toMatch(/cannot play/);
  });
});

class RecordingPlayer implements RingPlayer {
  readonly log: string[] = [];
  answer: RingPlayback = 'playing';
  play(pattern: RingPattern, sinkIds: readonly string[]): Promise<RingPlayback> {
    this.log.push(`play ${pattern} [${sinkIds.join(',')}]`);
    return Promise.resolve(this.answer);
  }
  stop(): void {
    this.log.push('stop');
  }
}

function setup(outputs: RingOutputs = { ringerSinkId: 'usb', speakerSinkId: 'headset' }) {
  const engine = new FakeEngine({ accounts: [account({ id: 'a' })] });
  const calls = new CallsState(engine.bridge);
  const accounts = new AccountsState(engine.bridge);
  const settings = new SettingsState(engine.bridge);
  accounts.apply([account({ id: 'a' })]);
  settings.apply({ ...DEFAULT_SETTINGS, ringOnDefaultDevice: false });
  const player = new RecordingPlayer();
  const controller = new RingController({ calls, accounts, settings, outputs }, player);
  const stop = controller.start();
  flushSync();
  return { calls, accounts, settings, player, controller, stop };
}

const ringing = call({ id: 'in', direction: 'incoming', state: 'incoming', accountId: 'a' });

describe('RingController', () => {
  it('rings for an incoming call and stops when it is answered', async () => {
    const { calls, player, controller } = setup();
    calls.receive(ringing);
    flushSync();
    expect(player.log).toEqual(['play ring [usb]']);
    await Promise.resolve();
    expect(controller.announcement).toBe('Ringtone on.');
    calls.receive({ ...ringing, state: 'connecting' });
    flushSync();
    expect(player.log.at(-1)).toBe('stop');
    expect(controller.announcement).toBe('Ringtone off.');
  });

  it('stops when the call ends before an answer (declined, cancelled, missed)', () => {
    const { calls, player } = setup();
    calls.receive(ringing);
    flushSync();
    calls.receive({ ...ringing, state: 'ended', endedAt: 2 });
    flushSync();
    expect(player.log).toEqual(['play ring [usb]', 'stop']);
  });

  it('stops when do-not-disturb is switched on for the account', () => {
    const { calls, accounts, player } = setup();
    calls.receive(ringing);
    flushSync();
    accounts.apply([account({ id: 'a', doNotDisturb: true })]);
    flushSync();
    expect(player.log).toEqual(['play ring [usb]', 'stop']);
  });

  it('beeps instead of ringing when the second call comes in during a call', () => {
    const { calls, player } = setup();
    calls.receive(call({ id: 'up', state: 'connected', answeredAt: 1, accountId: 'a' }));
    calls.receive(ringing);
    flushSync();
    expect(player.log).toEqual(['play call-waiting [headset]']);
  });

  it('plays the ring-back while our call rings, and stops for early media', () => {
    const { calls, player } = setup();
    const outgoing = call({ id: 'out', state: 'ringing', accountId: 'a' });
    calls.receive(outgoing);
    flushSync();
    calls.receive({ ...outgoing, state: 'early-media' });
    flushSync();
    expect(player.log).toEqual(['play ringback [headset]', 'stop']);
  });

  it('rings on the default device too when the setting is on, and follows a change of it while ringing', () => {
    const { calls, settings, player } = setup();
    calls.receive(ringing);
    flushSync();
    settings.apply({ ...DEFAULT_SETTINGS, ringOnDefaultDevice: true });
    flushSync();
    expect(player.log).toEqual(['play ring [usb]', 'play ring [usb,]']);
  });

  it('does not restart the tone for changes that do not change it', () => {
    const { calls, player } = setup();
    calls.receive(ringing);
    flushSync();
    calls.receive({ ...ringing, peerName: 'Bob' });
    flushSync();
    expect(player.log).toEqual(['play ring [usb]']);
  });

  it('says when the browser holds the ringtone back, and when it plays after all', async () => {
    const { calls, player, controller } = setup();
    player.answer = 'blocked';
    calls.receive(ringing);
    flushSync();
    await Promise.resolve();
    expect(controller.announcement).toMatch(/click or press a key/);
    controller.playbackChanged('playing');
    expect(controller.announcement).toBe('Ringtone on.');
  });

  it('stops the tone when it is stopped itself', () => {
    const { calls, player, stop } = setup();
    calls.receive(ringing);
    flushSync();
    stop();
    expect(player.log).toEqual(['play ring [usb]', 'stop']);
  });
});
