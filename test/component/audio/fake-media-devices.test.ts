import { describe, expect, it } from 'vitest';
import { FakeMediaDevices, microphone, requestedDevice } from '../support/fake-media-devices';

describe('FakeMediaDevices', () => {
  it('fires devicechange to its listeners when the list changes, and stops after removal', async () => {
    const media = new FakeMediaDevices([microphone('m1', 'Desk')]);
    let fired = 0;
    const listener = () => fired++;
    media.addEventListener('devicechange', listener);
    media.change([]);
    expect(fired).toBe(1);
    expect(await media.enumerateDevices()).toEqual([]);
    media.removeEventListener('devicechange', listener);
    media.change([microphone('m2', 'USB')]);
    expect(fired).toBe(1);
  });

  it('records requests, opens streams whose tracks remember stopping, and throws the named DOMException', async () => {
    const media = new FakeMediaDevices();
    const stream = await media.getUserMedia({ audio: { deviceId: { exact: 'm1' } } });
    expect(requestedDevice(media.requests[0]!)).toBe('m1');
    expect(media.streams[0]!.stopped).toBe(false);
    for (const track of stream.getTracks()) track.stop();
    expect(media.streams[0]!.stopped).toBe(true);
    media.answer = () => 'NotAllowedError';
    await expect(media.getUserMedia({ audio: true })).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(requestedDevice(media.requests[1]!)).toBeNull();
  });
});
