// RTP data packets (RFC 3550 §5.1): parse from untrusted bytes without ever throwing, and serialize. A packet that
// lies about its lengths is refused with a reason the caller can count; nothing is copied on parse (the payload
// and extension are views into the received buffer).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |                           timestamp                           |
//   |           synchronization source (SSRC) identifier            |
//   |            contributing source (CSRC) identifiers (CC × 32)   |
//   |   [extension: profile-defined (16) | length in words (16)]    |
//   |   [extension data: length × 32 bits]                          |
//   |   payload ...                 | [padding ... | pad count]     |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
import { err, ok, type Result } from '../../contract/result';

export const RTP_VERSION = 2;
export const RTP_FIXED_HEADER_LENGTH = 12;
/** CC is a 4-bit field (§5.1). */
export const MAX_CSRC_COUNT = 15;

/** The header extension of §5.3.1; its contents belong to a profile, so they are kept as an opaque view. */
export interface RtpHeaderExtension {
  /** The 16 "defined by profile" bits, e.g. 0xBEDE for RFC 8285 one-byte headers. */
  readonly profile: number;
  /** The extension data, a whole number of 32-bit words. */
  readonly data: Uint8Array;
}

export interface RtpPacket {
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly csrcs: readonly number[];
  readonly extension?: RtpHeaderExtension;
  readonly payload: Uint8Array;
  /** Octets of padding after the payload, including the count octet itself; 0 when the P bit is clear. */
  readonly paddingLength: number;
}

export type RtpParseError =
  'too-short' | 'bad-version' | 'truncated-csrc-list' | 'truncated-extension' | 'bad-padding';

export type RtpWriteError =
  'bad-payload-type' | 'too-many-csrcs' | 'bad-extension' | 'bad-padding' | 'bad-field' | 'buffer-too-small';

function readUint32(bytes: Uint8Array, offset: number): number {
  return (
    (((bytes[offset] ?? 0) << 24) |
      ((bytes[offset + 1] ?? 0) << 16) |
      ((bytes[offset + 2] ?? 0) << 8) |
      (bytes[offset + 3] ?? 0)) >>>
    0
  );
}

function readUint16(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
}

function writeUint32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = value >>> 16;
  bytes[offset + 2] = value >>> 8;
  bytes[offset + 3] = value;
}

function writeUint16(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 8;
  bytes[offset + 1] = value;
}

/** Parses one RTP packet; every length in the header is checked against the bytes actually received. */
export function parseRtpPacket(bytes: Uint8Array): Result<RtpPacket, RtpParseError> {
  if (bytes.length < RTP_FIXED_HEADER_LENGTH) return err('too-short');
  const first = bytes[0] ?? 0;
  if (first >> 6 !== RTP_VERSION) return err('bad-version');
  const hasPadding = (first & 0x20) !== 0;
  const hasExtension = (first & 0x10) !== 0;
  const csrcCount = first & 0x0f;
  const second = bytes[1] ?? 0;

  let offset = RTP_FIXED_HEADER_LENGTH;
  if (bytes.length < offset + csrcCount * 4) return err('truncated-csrc-list');
  const csrcs: number[] = [];
  for (let i = 0; i < csrcCount; i++, offset += 4) csrcs.push(readUint32(bytes, offset));

  let extension: RtpHeaderExtension | undefined;
  if (hasExtension) {
    if (bytes.length < offset + 4) return err('truncated-extension');
    const profile = readUint16(bytes, offset);
    const dataLength = readUint16(bytes, offset + 2) * 4;
    offset += 4;
    if (bytes.length < offset + dataLength) return err('truncated-extension');
    extension = { profile, data: bytes.subarray(offset, offset + dataLength) };
    offset += dataLength;
  }

  // §5.1: with P set, the last octet counts the padding octets including itself, so it can be neither 0 nor
  // reach back into the header.
  let paddingLength = 0;
  if (hasPadding) {
    paddingLength = bytes[bytes.length - 1] ?? 0;
    if (paddingLength === 0 || paddingLength > bytes.length - offset) return err('bad-padding');
  }

  const packet: RtpPacket = {
    marker: (second & 0x80) !== 0,
    payloadType: second & 0x7f,
    sequenceNumber: readUint16(bytes, 2),
    timestamp: readUint32(bytes, 4),
    ssrc: readUint32(bytes, 8),
    csrcs,
    payload: bytes.subarray(offset, bytes.length - paddingLength),
    paddingLength,
    ...(extension === undefined ? {} : { extension }),
  };
  return ok(packet);
}

function isUint(value: number, bits: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < 2 ** bits;
}

/** The number of octets `packet` serializes to, or why it cannot be written. */
export function rtpPacketLength(packet: RtpPacket): Result<number, RtpWriteError> {
  if (!isUint(packet.payloadType, 7)) return err('bad-payload-type');
  if (packet.csrcs.length > MAX_CSRC_COUNT) return err('too-many-csrcs');
  if (!isUint(packet.sequenceNumber, 16) || !isUint(packet.timestamp, 32) || !isUint(packet.ssrc, 32)) {
    return err('bad-field');
  }
  if (!packet.csrcs.every((csrc) => isUint(csrc, 32))) return err('bad-field');
  const extension = packet.extension;
  if (
    extension !== undefined &&
    (!isUint(extension.profile, 16) || extension.data.length % 4 !== 0 || extension.data.length / 4 > 0xffff)
  ) {
    return err('bad-extension');
  }
  if (!isUint(packet.paddingLength, 8)) return err('bad-padding');
  const extensionLength = extension === undefined ? 0 : 4 + extension.data.length;
  return ok(
    RTP_FIXED_HEADER_LENGTH +
      packet.csrcs.length * 4 +
      extensionLength +
      packet.payload.length +
      packet.paddingLength,
  );
}

/**
 * Writes `packet` into `target` at `offset` (a send buffer reused per packet) and answers the octets written.
 * Padding octets are zero except the last, which holds the count (§5.1).
 */
export function writeRtpPacket(
  packet: RtpPacket,
  target: Uint8Array,
  offset = 0,
): Result<number, RtpWriteError> {
  const length = rtpPacketLength(packet);
  if (!length.ok) return length;
  if (!Number.isInteger(offset) || offset < 0 || target.length - offset < length.value) {
    return err('buffer-too-small');
  }
  const out = target.subarray(offset, offset + length.value);
  const extension = packet.extension;
  out[0] =
    (RTP_VERSION << 6) |
    (packet.paddingLength > 0 ? 0x20 : 0) |
    (extension === undefined ? 0 : 0x10) |
    packet.csrcs.length;
  out[1] = (packet.marker ? 0x80 : 0) | packet.payloadType;
  writeUint16(out, 2, packet.sequenceNumber);
  writeUint32(out, 4, packet.timestamp);
  writeUint32(out, 8, packet.ssrc);
  let cursor = RTP_FIXED_HEADER_LENGTH;
  for (const csrc of packet.csrcs) {
    writeUint32(out, cursor, csrc);
    cursor += 4;
  }
  if (extension !== undefined) {
    writeUint16(out, cursor, extension.profile);
    writeUint16(out, cursor + 2, extension.data.length / 4);
    out.set(extension.data, cursor + 4);
    cursor += 4 + extension.data.length;
  }
  out.set(packet.payload, cursor);
  cursor += packet.payload.length;
  if (packet.paddingLength > 0) {
    out.fill(0, cursor, cursor + packet.paddingLength - 1);
    out[cursor + packet.paddingLength - 1] = packet.paddingLength;
  }
  return ok(length.value);
}

/** Serializes `packet` into a new buffer of exactly its length. */
export function serializeRtpPacket(packet: RtpPacket): Result<Uint8Array, RtpWriteError> {
  const length = rtpPacketLength(packet);
  if (!length.ok) return length;
  const bytes = new Uint8Array(length.value);
  const written = writeRtpPacket(packet, bytes);
  return written.ok ? ok(bytes) : written;
}
