import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { CallDto, CallStateName, Result } from '../../../main/contract/contract';
import type { AudioChannel } from '../../../renderer/src/lib/audio-channel';
import { CallAudioController, callToHear } from '../../../renderer/src/lib/call-audio-controller.svelte';
import { call } from '../../support/fake-engine';
import { FakeAudioChannel, FakeAudioDevice } from '../support/fake-audio-channel';
import { FakeBridge } from '../support/fake-bridge';
import { FakeEngine } from '../support/fake-engine';
import { AppState } from '../../../renderer/src/lib/state/app-state.svelte';

/** Lets pending openAudio answers settle. */
const settle = () => new Promise((done) => setTimeout(done, 0));

function setup() {
  const bridge = new FakeBridge();
  const device = new FakeAudioDevice();
  const channels: FakeAudioChannel[] = [];
  bridge.audio = (callId) => {
    const channel = new FakeAudioChannel(callId);
    channels.push(channel);
    return { ok: true, value: channel };
  };
  const controller = new CallAudioController(bridge, device);
  let calls = $state<CallDto[]>([]);
  const stop = controller.start(() => calls);
  const show = (...list: [string, CallStateName][]) => {
    calls = list.map(([id, state]) => call({ id, state }));
    flushSync();
  };
  return { bridge, device, channels, controller, stop, show };
}

describe('callToHear', () => {
  it('picks the call that is up and not held', () => {
    const calls = [
      call({ id: 'a', state: 'on-hold' }),
      call({ id: 'b', state: 'incoming' }),
      call({ id: 'c', state: 'connected' }),
    ];
    expect(callToHear(calls)?.id).toBe('c');
    expect(callToHear(calls.slice(0, 2))).toBeNull();
    expect(callToHear([call({ id: 'd', state: 'early-media' })])?.id).toBe('d');
  });
});

describe('CallAudioController', () => {
  it('opens and attaches the connected call, and closes it on hold and reopens on resume', async () => {
    const { bridge, device, channels, controller, show, stop } = setup();
    show(['c1', 'dialing']);
    expect(bridge.audioOpened).toEqual([]);
    show(['c1', 'connected']);
    await settle();
    expect(bridge.audioOpened).toEqual(['c1']);
    expect(device.log).toEqual(['attach c1']);
    expect(controller.status).toEqual({ kind: 'live', callId: 'c1' });

    show(['c1', 'on-hold']);
    expect(channels[0]?.closedBy).toBe('ended');
    expect(device.log).toEqual(['attach c1', 'detach']);
    expect(controller.status).toEqual({ kind: 'off' });

    show(['c1', 'connected']);
    await settle();
    expect(bridge.audioOpened).toEqual(['c1', 'c1']);
    expect(device.attached).toBe(channels[1]);
    stop();
    expect(channels[1]?.closedBy).toBe('ended');
    expect(device.attached).toBeNull();
  });

  it('moves the audio to the other call on swap, detaching before attaching', async () => {
    const { device, channels, show } = setup();
    show(['c1', 'connected'], ['c2', 'on-hold']);
    await settle();
    show(['c1', 'on-hold'], ['c2', 'connected']);
    await settle();
    expect(device.log).toEqual(['attach c1', 'detach', 'attach c2']);
    expect(channels.map((channel) => [channel.callId, channel.closedBy])).toEqual([
      ['c1', 'ended'],
      ['c2', null],
    ]);
  });

  it('closes a channel whose open answered after the call was held', async () => {
    const { bridge, device, show } = setup();
    let answer: (result: Result<AudioChannel>) => void = () => undefined;
    const late = new FakeAudioChannel('c1');
    bridge.audio = () => new Promise((resolve) => (answer = resolve));
    show(['c1', 'connected']);
    show(['c1', 'on-hold']);
    answer({ ok: true, value: late });
    await settle();
    expect(late.closedBy).toBe('ended');
    expect(device.log).toEqual([]);
  });

  it('leaves a call another window took, until asked to take it back', async () => {
    const { bridge, device, channels, controller, show } = setup();
    show(['c1', 'connected']);
    await settle();
    channels[0]?.end('replaced');
    expect(device.log).toEqual(['attach c1', 'detach']);
    expect(controller.status).toEqual({ kind: 'elsewhere', callId: 'c1' });
    show(['c1', 'connected']);
    await settle();
    expect(bridge.audioOpened).toEqual(['c1']);
    controller.takeBack();
    await settle();
    expect(bridge.audioOpened).toEqual(['c1', 'c1']);
    expect(controller.status).toEqual({ kind: 'live', callId: 'c1' });
  });

  it('waits while the link is down and reopens the call when it is back', async () => {
    const { bridge, channels, controller, show } = setup();
    show(['c1', 'connected']);
    await settle();
    channels[0]?.end('disconnected');
    bridge.setConnection({ kind: 'connecting', attempt: 1 });
    expect(controller.status).toEqual({ kind: 'waiting', callId: 'c1' });
    bridge.setConnection({ kind: 'open' });
    await settle();
    expect(bridge.audioOpened).toEqual(['c1', 'c1']);
    expect(controller.status).toEqual({ kind: 'live', callId: 'c1' });
  });

  it('does not retry a failed open in a loop, but does when the call changes state', async () => {
    const { bridge, controller, show } = setup();
    bridge.audio = () => ({ ok: false, error: { code: 'not-found', message: 'no audio yet' } });
    show(['c1', 'early-media']);
    await settle();
    expect(controller.status).toEqual({ kind: 'failed', callId: 'c1', message: 'no audio yet' });
    show(['c1', 'early-media'], ['c2', 'incoming']);
    await settle();
    expect(bridge.audioOpened).toEqual(['c1']);
    show(['c1', 'connected']);
    await settle();
    expect(bridge.audioOpened).toEqual(['c1', 'c1']);
  });

  it('reopens the audio of a call found in calls.list after a reload', async () => {
    const { bridge, device, show } = setup();
    // A fresh window: the first list already holds the call that was up before the reload.
    show(['c7', 'connected']);
    await settle();
    expect(bridge.audioOpened).toEqual(['c7']);
    expect(device.log).toEqual(['attach c7']);
  });
});

describe('AppState with an audio device', () => {
  it('after a reload, finds the call in calls.list and attaches its audio; hangs it up and lets go', async () => {
    const engine = new FakeEngine({ calls: [call({ id: 'c1', state: 'connected' })] });
    const device = new FakeAudioDevice();
    const opened: FakeAudioChannel[] = [];
    engine.bridge.audio = (callId) => {
      const channel = new FakeAudioChannel(callId);
      opened.push(channel);
      return { ok: true, value: channel };
    };
    const app = new AppState(engine.bridge, { audioDevice: device });
    const stop = app.start();
    await app.ready;
    flushSync();
    await settle();
    expect(engine.bridge.audioOpened).toEqual(['c1']);
    expect(device.log).toEqual(['attach c1']);
    expect(app.callAudioRoute?.status).toEqual({ kind: 'live', callId: 'c1' });
    engine.emit('call.changed', call({ id: 'c1', state: 'ended' }));
    flushSync();
    expect(device.log).toEqual(['attach c1', 'detach']);
    expect(opened[0]?.closedBy).toBe('ended');
    stop();
  });

  it('without a device, opens no audio', async () => {
    const engine = new FakeEngine({ calls: [call({ id: 'c1', state: 'connected' })] });
    const app = new AppState(engine.bridge, { audioDevice: null });
    const stop = app.start();
    await app.ready;
    flushSync();
    expect(app.callAudioRoute).toBeNull();
    expect(engine.bridge.audioOpened).toEqual([]);
    stop();
  });

  it("by default, attaches the call's audio to the window's own microphone and speaker", async () => {
    const engine = new FakeEngine({ calls: [call({ id: 'c1', state: 'connected' })] });
    engine.bridge.audio = (callId) => ({ ok: true, value: new FakeAudioChannel(callId) });
    const app = new AppState(engine.bridge, { media: null });
    const stop = app.start();
    await app.ready;
    flushSync();
    await settle();
    expect(engine.bridge.audioOpened).toEqual(['c1']);
    expect(app.callAudio.callId).toBe('c1');
    stop();
  });
});
