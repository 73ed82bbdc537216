// The pieces of the baresip harness that need no baresip: the account line, the config, ctrl_tcp framing and
// the audio_debug reader (its text as baresip 1.0 prints it during a held call).
import { describe, expect, it } from 'vitest';
import { accountLine, configText, netstring, NetstringReader, parseAudioDebug } from '../support/baresip';

describe('baresip harness parts', () => {
  it('writes account lines for a registering phone, a proxy-only phone and a phone called by IP', () => {
    expect(
      accountLine({
        aor: 'sip:alice@example.test',
        password: 'pw',
        outboundProxy: 'sip:127.0.0.1:5070',
        codecs: ['opus', 'pcmu', 'pcma'],
        answerMode: 'auto',
      }),
    ).toBe(
      '<sip:alice@example.test>;auth_pass=pw;outbound="sip:127.0.0.1:5070";regint=600;answermode=auto;' +
        'audio_codecs=opus/48000/2,pcmu,pcma',
    );
    expect(
      accountLine({ aor: 'sip:carol@example.test', outboundProxy: 'sip:127.0.0.1:5070', register: false }),
    ).toBe('<sip:carol@example.test>;outbound="sip:127.0.0.1:5070";regint=0;answermode=manual');
    expect(accountLine({ aor: 'sip:dora@127.0.0.1' })).toBe(
      '<sip:dora@127.0.0.1>;regint=0;answermode=manual',
    );
    // A display name goes in quotes before the address, so the called side shows it.
    expect(accountLine({ aor: 'sip:bob@example.test', displayName: 'Bob Baresip' })).toBe(
      '"Bob Baresip" <sip:bob@example.test>;regint=0;answermode=manual',
    );
  });

  it('configures loopback only, no DNS, the file source and the recorder', () => {
    const text = configText(
      { account: { aor: 'sip:a@127.0.0.1' }, source: '/x/tone.wav' },
      { sip: 20000, rtp: 21000, control: 22000 },
      '/x/rec',
      '/x/modules',
    );
    expect(text).toContain('sip_listen 127.0.0.1:20000\n');
    expect(text).toContain('rtp_ports 21000-21007\n');
    expect(text).toContain('ctrl_tcp_listen 127.0.0.1:22000\n');
    expect(text).toContain('net_interface 127.0.0.1\n');
    expect(text).toContain('dns_server 127.0.0.1:53\n');
    expect(text).toContain('audio_source aufile,/x/tone.wav\nausrc_srate 48000\nausrc_channels 1\n');
    expect(text).toContain('jitter_buffer_delay 1-3\n');
    expect(text).toContain('module sndfile.so\n');
    expect(text).toContain('snd_path /x/rec\n');
    expect(text).toContain('module_path /x/modules\n');
  });

  it('frames and splits netstrings across arbitrary chunk boundaries', () => {
    const framed = netstring('{"a":"é"}') + netstring('') + netstring('{"b":2}');
    expect(framed.startsWith('10:{"a":"é"},0:,')).toBe(true);
    const bytes = Buffer.from(framed);
    const reader = new NetstringReader();
    const out: string[] = [];
    for (let index = 0; index < bytes.length; index += 3)
      out.push(...reader.push(bytes.subarray(index, index + 3)));
    expect(out).toEqual(['{"a":"é"}', '', '{"b":2}']);
    expect(() => new NetstringReader().push(Buffer.from('2:ab;'))).toThrow(/comma/);
  });

  it('reads direction, codecs, audio time and packet counts from audio_debug', () => {
    const text = [
      '',
      '--- Audio stream ---',
      ' tx:   encode: PCMU 8000Hz/1ch ptime=20ms S16LE',
      '       aubuf: wish_sz=1920 cur_sz=0 filling=0 (cur 0.00ms, max 600.00ms, or 0, ur 0)',
      '       source: aufile,/tmp/b.wav S16LE',
      '       time = 2.540 sec',
      ' rx:   decode: opus 48000Hz/2ch S16LE',
      '       player: aubridge,nowhere S16LE',
      '       time = 1.500 sec',
      ' audio dir=recvonly pt_enc=0',
      '  member 0x34678049: lost=0 Jitter=0.0ms RTT=0.0ms',
      '                 IP=127.0.0.1:25634 psent=0 rcvd=77',
      '  TX: packets=77, octets=12320',
    ].join('\n');
    expect(parseAudioDebug(text)).toEqual({
      direction: 'recvonly',
      encoder: 'PCMU 8000Hz/1ch',
      decoder: 'opus 48000Hz/2ch',
      sentS: 2.54,
      receivedS: 1.5,
      packetsReceived: 77,
      packetsSent: 77,
    });
    const empty = parseAudioDebug('no call');
    expect(empty.direction).toBe('');
    expect(empty.receivedS).toBeNaN();
  });
});
