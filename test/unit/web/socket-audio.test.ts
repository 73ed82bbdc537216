import { afterEach, describe, expect, it } from 'vitest';
import { AUDIO_PACKET_BYTES } from '../../../main/contract/audio-stream';
import { CallAudioClaims } from '../../../main/services/call-audio-claims';
import { EventHub } from '../../../main/services/event-hub';
import { SPEAKER_BACKLOG_FRAMES, SocketAudio } from '../../../main/web/socket-audio';
import { FakeCallAudio } from '../../support/fake-call-audio';

const audios: FakeCallAudio[] = [];
afterEach(() => {
  for (const audio of audios.splice(0)) audio.close();
});

/** A socket whose unsent backlog the test sets, as a tab that stopped reading would have. */
class SlowSocket {
  bufferedAmount = 0;
  readonly binary: Buffer[] = [];
  readonly text: string[] = [];
  sendBinary(packet: Buffer): void {
    this.binary.push(packet);
  }
  sendText(text: string): void {
    this.text.push(text);
  }
}

describe('SocketAudio', () => {
  it('drops speaker frames for a slow tab instead of queueing them, and keeps the stream', async () => {
    const audio = new FakeCallAudio();
    audios.push(audio);
    const claims = new CallAudioClaims({ events: new EventHub(), audioPort: () => audio.endpoint });
    const socket = new SlowSocket();
    const socketAudio = new SocketAudio(socket, claims);
    expect(socketAudio.open('c1')).toEqual({ ok: true, value: { stream: 1 } });
    await audio.until(() => audio.listening);

    socket.bufferedAmount = SPEAKER_BACKLOG_FRAMES * AUDIO_PACKET_BYTES + 1;
    for (let index = 0; index < 10; index++) audio.speak(index);
    await expect.poll(() => socketAudio.counters.droppedOut).toBe(10);
    expect(socket.binary).toEqual([]);

    socket.bufferedAmount = 0;
    audio.speak(42);
    await expect.poll(() => socket.binary.length).toBe(1);
    expect(socket.binary[0]?.readInt16LE(2)).toBe(42);
    expect(socketAudio.openStreams).toBe(1);
    expect(socket.text).toEqual([]);
  });

  it('never reuses a stream number that is still open', () => {
    const audio = new FakeCallAudio();
    audios.push(audio);
    const claims = new CallAudioClaims({ events: new EventHub(), audioPort: () => audio.endpoint });
    const socketAudio = new SocketAudio(new SlowSocket(), claims);
    const numbers: unknown[] = [];
    for (const id of ['a', 'b', 'c']) {
      const opened = socketAudio.open(id);
      numbers.push(opened.ok ? opened.value.stream : null);
    }
    expect(numbers).toEqual([1, 2, 3]);
    socketAudio.dispose();
    expect(socketAudio.openStreams).toBe(0);
  });
});
