// The validated session model (RFC 8866, formerly RFC 4566) that offer/answer works on. sdp-transform's objects are
// loose (every field optional, numbers sometimes strings); parse-session-description.ts turns them into this, so the
// negotiation code never second-guesses a field.

/** RFC 3264 §5.1 stream directions; a missing attribute means sendrecv (RFC 8866 §6.7). */
export type Direction = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** A `c=` (or `a=rtcp`) address. The host may be a literal or, as RFC 8866 §5.7 allows, a domain name. */
export interface ConnectionAddress {
  readonly addressType: 'IP4' | 'IP6';
  readonly address: string;
}

/** `o=` (RFC 8866 §5.2). Id and version are kept as decimal strings: they may exceed 2^53 on the wire. */
export interface Origin {
  readonly username: string;
  readonly sessionId: string;
  readonly sessionVersion: string;
  readonly address: ConnectionAddress;
}

/** `a=rtpmap` (RFC 8866 §6.6): encoding name, clock rate and, for audio, the channel count (default 1). */
export interface RtpMap {
  readonly encodingName: string;
  readonly clockRate: number;
  readonly channels: number;
}

/** One payload type of an RTP m-line with what the section says about it. */
export interface RtpFormat {
  readonly payloadType: number;
  /** Absent for a static payload type the sender did not describe (RFC 3551 §6 defines those). */
  readonly rtpmap?: RtpMap;
  /** The raw `a=fmtp` parameters, e.g. `minptime=10;useinbandfec=1`. */
  readonly fmtp?: string;
}

/** `a=rtcp` (RFC 3605): the RTCP port and optionally its own address. */
export interface RtcpAttribute {
  readonly port: number;
  readonly address?: ConnectionAddress;
}

export interface MediaSection {
  /** `audio`, `video`, `image`, `application`, … kept as written so an unknown type can be answered with port 0. */
  readonly type: string;
  /** 0 means the stream is rejected or disabled (RFC 3264 §5.1). */
  readonly port: number;
  readonly protocol: string;
  /** The m-line's format list exactly as offered; an answer that rejects the stream repeats it (RFC 3264 §6). */
  readonly formats: readonly string[];
  /** For RTP protocols: the formats as payload types with their rtpmap/fmtp, in m-line order. */
  readonly rtpFormats: readonly RtpFormat[];
  /** Media-level `c=`; it overrides the session-level one (RFC 8866 §5.7). */
  readonly connection?: ConnectionAddress;
  /** Media-level direction attribute; it overrides the session-level one. */
  readonly direction?: Direction;
  readonly rtcp?: RtcpAttribute;
  /** `a=rtcp-mux` (RFC 5761 §5.1.1). */
  readonly rtcpMux: boolean;
  readonly ptime?: number;
  readonly maxptime?: number;
}

export interface SessionDescription {
  readonly origin: Origin;
  readonly sessionName: string;
  readonly connection?: ConnectionAddress;
  readonly direction?: Direction;
  readonly media: readonly MediaSection[];
}

/** The connection a media section actually uses: its own `c=`, else the session's. */
export function effectiveConnection(
  session: SessionDescription,
  media: MediaSection,
): ConnectionAddress | undefined {
  return media.connection ?? session.connection;
}

/** The direction a media section actually declares: its own attribute, else the session's, else sendrecv. */
export function effectiveDirection(session: SessionDescription, media: MediaSection): Direction {
  return media.direction ?? session.direction ?? 'sendrecv';
}

/**
 * RFC 2543 put a call on hold with `c=IN IP4 0.0.0.0`; RFC 3264 §8.4 asks answerers to still understand it. An IPv6
 * unspecified address is read the same way, since some stacks do so.
 */
export function isHoldAddress(connection: ConnectionAddress | undefined): boolean {
  if (connection === undefined) return false;
  return connection.address === '0.0.0.0' || connection.address === '::';
}

/** Whether a protocol carries RTP (RTP/AVP, RTP/AVPF, RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF, …). */
export function isRtpProtocol(protocol: string): boolean {
  return /(^|\/)RTP\//.test(protocol);
}
