// The negotiated codecs the impairment tests run their calls with, as the media worker's StreamParams carry them.
import type { StreamParams } from '../../../../main/media/session/media-worker-protocol';

/** Opus as both ends negotiate it (RFC 7587 §7: opus/48000/2), with the far end's fmtp. */
export function opusParams(fmtp: string | undefined): StreamParams['codec'] {
  return {
    payloadType: 111,
    name: 'opus',
    encodingName: 'opus',
    clockRate: 48_000,
    channels: 2,
    ...(fmtp !== undefined ? { fmtp } : {}),
  };
}

export const PCMU_PARAMS: StreamParams['codec'] = {
  payloadType: 0,
  name: 'pcmu',
  encodingName: 'PCMU',
  clockRate: 8000,
  channels: 1,
};
