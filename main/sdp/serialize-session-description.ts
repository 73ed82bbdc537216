// The model → RFC 8866 text, through sdp-transform's writer. Lines come out in the order RFC 8866 §5 requires
// (v o s c t, then per m-line: m c a…), CRLF-terminated.
import { write, type MediaDescription } from 'sdp-transform';
import type { ConnectionAddress, MediaSection, SessionDescription } from './session-description';

export function serializeSessionDescription(session: SessionDescription): string {
  return write({
    version: 0,
    origin: {
      username: session.origin.username,
      sessionId: session.origin.sessionId,
      // Our own versions stay far below 2^53; a parsed remote one is only ever re-read, not rewritten.
      sessionVersion: Number(session.origin.sessionVersion),
      netType: 'IN',
      ipVer: ipVersion(session.origin.address),
      address: session.origin.address.address,
    },
    // RFC 8866 §5.3: s= must not be empty; a single space is the conventional "no name".
    name: session.sessionName === '' ? ' ' : session.sessionName,
    timing: { start: 0, stop: 0 },
    ...(session.connection === undefined ? {} : { connection: toConnection(session.connection) }),
    ...(session.direction === undefined ? {} : { direction: session.direction }),
    media: session.media.map(toMediaDescription),
  });
}

function toMediaDescription(media: MediaSection): MediaDescription {
  return {
    type: media.type,
    port: media.port,
    protocol: media.protocol,
    payloads: media.formats.join(' '),
    ...(media.connection === undefined ? {} : { connection: toConnection(media.connection) }),
    rtp: media.rtpFormats.flatMap((format) =>
      format.rtpmap === undefined
        ? []
        : [
            {
              payload: format.payloadType,
              codec: format.rtpmap.encodingName,
              rate: format.rtpmap.clockRate,
              // RFC 8866 §6.6: the channel count is written only when it is not the default of 1.
              ...(format.rtpmap.channels === 1 ? {} : { encoding: format.rtpmap.channels }),
            },
          ],
    ),
    fmtp: media.rtpFormats.flatMap((format) =>
      format.fmtp === undefined ? [] : [{ payload: format.payloadType, config: format.fmtp }],
    ),
    ...(media.ptime === undefined ? {} : { ptime: media.ptime }),
    ...(media.maxptime === undefined ? {} : { maxptime: media.maxptime }),
    ...(media.rtcp === undefined
      ? {}
      : {
          rtcp:
            media.rtcp.address === undefined
              ? { port: media.rtcp.port }
              : {
                  port: media.rtcp.port,
                  netType: 'IN',
                  ipVer: ipVersion(media.rtcp.address),
                  address: media.rtcp.address.address,
                },
        }),
    ...(media.rtcpMux ? { rtcpMux: 'rtcp-mux' as const } : {}),
    ...(media.direction === undefined ? {} : { direction: media.direction }),
  };
}

function toConnection(connection: ConnectionAddress): { version: number; ip: string } {
  return { version: ipVersion(connection), ip: connection.address };
}

function ipVersion(connection: ConnectionAddress): number {
  return connection.addressType === 'IP6' ? 6 : 4;
}
