// RFC 7587 §6.1 receiver parameters as a far end writes them, sloppy ones included.
import { describe, expect, it } from 'vitest';
import { parseOpusFmtp } from '../../../../main/media/codecs/opus-fmtp';

describe('parseOpusFmtp', () => {
  it('reads the parameters we act on', () => {
    expect(
      parseOpusFmtp(
        'minptime=10;useinbandfec=1;usedtx=1;maxaveragebitrate=24000;maxplaybackrate=16000;stereo=0',
      ),
    ).toEqual({
      maxAverageBitrate: 24_000,
      maxPlaybackRate: 16_000,
      useInbandFec: true,
      useDtx: true,
      stereo: false,
    });
  });

  it('takes spaces, upper case and unknown keys in its stride', () => {
    expect(parseOpusFmtp(' MaxAverageBitrate = 40000 ; useinbandfec=1; sprop-stereo=1; x')).toEqual({
      maxAverageBitrate: 40_000,
      useInbandFec: true,
      useDtx: false,
      stereo: false,
    });
  });

  it('treats absent, out-of-range and malformed values as absent', () => {
    expect(parseOpusFmtp(undefined)).toEqual({ useInbandFec: false, useDtx: false, stereo: false });
    expect(parseOpusFmtp('maxaveragebitrate=100;maxplaybackrate=96000')).toEqual({
      useInbandFec: false,
      useDtx: false,
      stereo: false,
    });
    expect(parseOpusFmtp('maxaveragebitrate=-1;useinbandfec=yes;usedtx=2;maxaveragebitrate=1e5')).toEqual({
      useInbandFec: false,
      useDtx: false,
      stereo: false,
    });
  });
});
