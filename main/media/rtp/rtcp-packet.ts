// RTCP compound packets (RFC 3550 §6): sender and receiver reports (§6.4), source description with CNAME (§6.5)
// and BYE (§6.6) are read into data; other packet types (APP, RTP/AVPF feedback, XR) are kept as opaque bodies so a
// compound packet carrying them still parses. Parsing never throws and refuses a compound packet that breaks the
// §6.1 / Appendix A.2 rules: every packet version 2, the first one SR or RR, padding only on the last, and the
// packets' length fields adding up to exactly the bytes received.
//
// Every RTCP packet starts with the same word:
//    0                   1                   2                   3
//   |V=2|P|  count  |      PT       |   length (32-bit words − 1)   |
import { err, ok, type Result } from '../../contract/result';

export const RTCP_SENDER_REPORT = 200;
export const RTCP_RECEIVER_REPORT = 201;
export const RTCP_SOURCE_DESCRIPTION = 202;
export const RTCP_GOODBYE = 203;
/** §6.5: the SDES item type of CNAME; 0 ends a chunk's item list. */
const SDES_CNAME = 1;
const SDES_END = 0;
/** The 5-bit count field bounds report blocks, chunks and BYE sources alike. */
export const MAX_RTCP_COUNT = 31;
const HEADER_LENGTH = 4;
const REPORT_BLOCK_LENGTH = 24;
const SENDER_INFO_LENGTH = 20;

/** One reception report block (§6.4.1), about one source we receive. */
export interface ReportBlock {
  readonly ssrc: number;
  /** Loss since the previous report, as a fixed-point fraction of 256. */
  readonly fractionLost: number;
  /** Signed 24-bit: duplicates can make it negative. */
  readonly cumulativeLost: number;
  readonly extendedHighestSequence: number;
  /** Interarrival jitter in timestamp units. */
  readonly jitter: number;
  /** The middle 32 bits of the NTP timestamp of the last SR received from that source, 0 if none. */
  readonly lastSenderReport: number;
  /** Delay since that SR, in units of 1/65536 s. */
  readonly delaySinceLastSenderReport: number;
}

export interface SenderReport {
  readonly type: 'sr';
  readonly ssrc: number;
  /** The NTP timestamp's integer seconds and fraction (§4), as two unsigned 32-bit words. */
  readonly ntpSeconds: number;
  readonly ntpFraction: number;
  readonly rtpTimestamp: number;
  readonly packetCount: number;
  readonly octetCount: number;
  readonly reports: readonly ReportBlock[];
}

export interface ReceiverReport {
  readonly type: 'rr';
  readonly ssrc: number;
  readonly reports: readonly ReportBlock[];
}

/** An SDES chunk; items other than CNAME are skipped on parse (we neither show nor send them). */
export interface SourceDescriptionChunk {
  readonly ssrc: number;
  readonly cname?: string;
}

export interface SourceDescription {
  readonly type: 'sdes';
  readonly chunks: readonly SourceDescriptionChunk[];
}

export interface Goodbye {
  readonly type: 'bye';
  readonly ssrcs: readonly number[];
  readonly reason?: string;
}

/** A packet type we do not interpret; its body (after the common header, without padding) is kept as a view. */
export interface OtherRtcpPacket {
  readonly type: 'other';
  readonly packetType: number;
  /** The 5-bit field after P, whose meaning depends on the packet type (a subtype for APP, FMT for feedback). */
  readonly count: number;
  readonly body: Uint8Array;
}

export type RtcpPacket = SenderReport | ReceiverReport | SourceDescription | Goodbye | OtherRtcpPacket;

export type RtcpParseError =
  | 'too-short'
  | 'bad-version'
  | 'bad-length'
  | 'first-not-report'
  | 'misplaced-padding'
  | 'bad-padding'
  | 'truncated-report'
  | 'bad-source-description'
  | 'bad-goodbye';

export type RtcpWriteError =
  'empty' | 'first-not-report' | 'too-many-items' | 'bad-field' | 'text-too-long' | 'bad-body';

const utf8Decoder = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

function readUint32(bytes: Uint8Array, offset: number): number {
  return (
    (((bytes[offset] ?? 0) << 24) |
      ((bytes[offset + 1] ?? 0) << 16) |
      ((bytes[offset + 2] ?? 0) << 8) |
      (bytes[offset + 3] ?? 0)) >>>
    0
  );
}

function writeUint32(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = value >>> 24;
  bytes[offset + 1] = value >>> 16;
  bytes[offset + 2] = value >>> 8;
  bytes[offset + 3] = value;
}

function readReportBlock(bytes: Uint8Array, offset: number): ReportBlock {
  const lostField = readUint32(bytes, offset + 4) & 0xffffff;
  return {
    ssrc: readUint32(bytes, offset),
    fractionLost: bytes[offset + 4] ?? 0,
    // Sign-extend the 24-bit two's complement field.
    cumulativeLost: lostField & 0x800000 ? lostField - 0x1000000 : lostField,
    extendedHighestSequence: readUint32(bytes, offset + 8),
    jitter: readUint32(bytes, offset + 12),
    lastSenderReport: readUint32(bytes, offset + 16),
    delaySinceLastSenderReport: readUint32(bytes, offset + 20),
  };
}

function readReportBlocks(body: Uint8Array, offset: number, count: number): ReportBlock[] | undefined {
  // Anything after the blocks is a profile-specific extension (§6.4.1) and is ignored.
  if (body.length < offset + count * REPORT_BLOCK_LENGTH) return undefined;
  return Array.from({ length: count }, (_, i) => readReportBlock(body, offset + i * REPORT_BLOCK_LENGTH));
}

/** `body` is the packet after its common header, without padding. */
function parseOne(packetType: number, count: number, body: Uint8Array): Result<RtcpPacket, RtcpParseError> {
  switch (packetType) {
    case RTCP_SENDER_REPORT: {
      if (body.length < 4 + SENDER_INFO_LENGTH) return err('truncated-report');
      const reports = readReportBlocks(body, 4 + SENDER_INFO_LENGTH, count);
      if (reports === undefined) return err('truncated-report');
      return ok({
        type: 'sr',
        ssrc: readUint32(body, 0),
        ntpSeconds: readUint32(body, 4),
        ntpFraction: readUint32(body, 8),
        rtpTimestamp: readUint32(body, 12),
        packetCount: readUint32(body, 16),
        octetCount: readUint32(body, 20),
        reports,
      });
    }
    case RTCP_RECEIVER_REPORT: {
      if (body.length < 4) return err('truncated-report');
      const reports = readReportBlocks(body, 4, count);
      if (reports === undefined) return err('truncated-report');
      return ok({ type: 'rr', ssrc: readUint32(body, 0), reports });
    }
    case RTCP_SOURCE_DESCRIPTION:
      return parseSourceDescription(body, count);
    case RTCP_GOODBYE:
      return parseGoodbye(body, count);
    default:
      return ok({ type: 'other', packetType, count, body });
  }
}

function parseSourceDescription(body: Uint8Array, count: number): Result<SourceDescription, RtcpParseError> {
  const chunks: SourceDescriptionChunk[] = [];
  let offset = 0;
  for (let i = 0; i < count; i++) {
    if (body.length < offset + 4) return err('bad-source-description');
    const ssrc = readUint32(body, offset);
    offset += 4;
    let cname: string | undefined;
    for (;;) {
      if (offset >= body.length) return err('bad-source-description');
      const itemType = body[offset] ?? SDES_END;
      if (itemType === SDES_END) break;
      const length = body[offset + 1];
      if (length === undefined || offset + 2 + length > body.length) return err('bad-source-description');
      if (itemType === SDES_CNAME) cname = utf8Decoder.decode(body.subarray(offset + 2, offset + 2 + length));
      offset += 2 + length;
    }
    // §6.5: the list ends with one or more null octets up to the next 32-bit boundary. The body starts on a
    // boundary, so the chunk ends at the first multiple of 4 past the first null octet.
    offset = (offset + 4) & ~3;
    if (offset > body.length) return err('bad-source-description');
    chunks.push(cname === undefined ? { ssrc } : { ssrc, cname });
  }
  return ok({ type: 'sdes', chunks });
}

function parseGoodbye(body: Uint8Array, count: number): Result<Goodbye, RtcpParseError> {
  if (body.length < count * 4) return err('bad-goodbye');
  const ssrcs = Array.from({ length: count }, (_, i) => readUint32(body, i * 4));
  const rest = count * 4;
  if (rest >= body.length) return ok({ type: 'bye', ssrcs });
  // §6.6: an optional reason, a length octet and text, padded to a 32-bit boundary.
  const length = body[rest] ?? 0;
  if (rest + 1 + length > body.length) return err('bad-goodbye');
  return ok({ type: 'bye', ssrcs, reason: utf8Decoder.decode(body.subarray(rest + 1, rest + 1 + length)) });
}

/** Parses a compound RTCP packet as received in one datagram. */
export function parseRtcpCompound(bytes: Uint8Array): Result<readonly RtcpPacket[], RtcpParseError> {
  if (bytes.length < HEADER_LENGTH) return err('too-short');
  const packets: RtcpPacket[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (bytes.length - offset < HEADER_LENGTH) return err('bad-length');
    const first = bytes[offset] ?? 0;
    if (first >> 6 !== 2) return err('bad-version');
    const hasPadding = (first & 0x20) !== 0;
    const count = first & 0x1f;
    const packetType = bytes[offset + 1] ?? 0;
    const length = ((((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0)) + 1) * 4;
    if (offset + length > bytes.length) return err('bad-length');
    if (packets.length === 0 && packetType !== RTCP_SENDER_REPORT && packetType !== RTCP_RECEIVER_REPORT) {
      return err('first-not-report');
    }
    const isLast = offset + length === bytes.length;
    let padding = 0;
    if (hasPadding) {
      // A.2: only the last packet of a compound may be padded. §6.4.1: the count includes itself and is a multiple
      // of four, so what remains of the packet is still whole words.
      if (!isLast) return err('misplaced-padding');
      padding = bytes[offset + length - 1] ?? 0;
      if (padding === 0 || padding % 4 !== 0 || padding > length - HEADER_LENGTH) return err('bad-padding');
    }
    const parsed = parseOne(
      packetType,
      count,
      bytes.subarray(offset + HEADER_LENGTH, offset + length - padding),
    );
    if (!parsed.ok) return parsed;
    packets.push(parsed.value);
    offset += length;
  }
  return ok(packets);
}

function isUint(value: number, bits: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < 2 ** bits;
}

function validBlock(block: ReportBlock): boolean {
  return (
    isUint(block.ssrc, 32) &&
    isUint(block.fractionLost, 8) &&
    Number.isInteger(block.cumulativeLost) &&
    block.cumulativeLost >= -0x800000 &&
    block.cumulativeLost <= 0x7fffff &&
    isUint(block.extendedHighestSequence, 32) &&
    isUint(block.jitter, 32) &&
    isUint(block.lastSenderReport, 32) &&
    isUint(block.delaySinceLastSenderReport, 32)
  );
}

/** A packet ready to write: its header fields and body bytes. */
interface EncodedPacket {
  readonly count: number;
  readonly packetType: number;
  readonly body: Uint8Array;
}

function encodeReportBlocks(body: Uint8Array, offset: number, blocks: readonly ReportBlock[]): void {
  blocks.forEach((block, i) => {
    const at = offset + i * REPORT_BLOCK_LENGTH;
    writeUint32(body, at, block.ssrc);
    writeUint32(body, at + 4, ((block.fractionLost << 24) | (block.cumulativeLost & 0xffffff)) >>> 0);
    writeUint32(body, at + 8, block.extendedHighestSequence);
    writeUint32(body, at + 12, block.jitter);
    writeUint32(body, at + 16, block.lastSenderReport);
    writeUint32(body, at + 20, block.delaySinceLastSenderReport);
  });
}

function encodeOne(packet: RtcpPacket): Result<EncodedPacket, RtcpWriteError> {
  switch (packet.type) {
    case 'sr':
    case 'rr': {
      if (packet.reports.length > MAX_RTCP_COUNT) return err('too-many-items');
      if (!isUint(packet.ssrc, 32) || !packet.reports.every(validBlock)) return err('bad-field');
      const isSender = packet.type === 'sr';
      const head = 4 + (isSender ? SENDER_INFO_LENGTH : 0);
      const body = new Uint8Array(head + packet.reports.length * REPORT_BLOCK_LENGTH);
      writeUint32(body, 0, packet.ssrc);
      if (packet.type === 'sr') {
        const fields = [
          packet.ntpSeconds,
          packet.ntpFraction,
          packet.rtpTimestamp,
          packet.packetCount,
          packet.octetCount,
        ];
        if (!fields.every((field) => isUint(field, 32))) return err('bad-field');
        fields.forEach((field, i) => writeUint32(body, 4 + i * 4, field));
      }
      encodeReportBlocks(body, head, packet.reports);
      return ok({
        count: packet.reports.length,
        packetType: isSender ? RTCP_SENDER_REPORT : RTCP_RECEIVER_REPORT,
        body,
      });
    }
    case 'sdes':
      return encodeSourceDescription(packet);
    case 'bye':
      return encodeGoodbye(packet);
    case 'other':
      if (!isUint(packet.packetType, 8) || !isUint(packet.count, 5)) return err('bad-field');
      if (packet.body.length % 4 !== 0) return err('bad-body');
      return ok({ count: packet.count, packetType: packet.packetType, body: packet.body });
  }
}

function encodeSourceDescription(packet: SourceDescription): Result<EncodedPacket, RtcpWriteError> {
  if (packet.chunks.length > MAX_RTCP_COUNT) return err('too-many-items');
  const encoded: { ssrc: number; cname: Uint8Array | undefined }[] = [];
  let length = 0;
  for (const chunk of packet.chunks) {
    if (!isUint(chunk.ssrc, 32)) return err('bad-field');
    const cname = chunk.cname === undefined ? undefined : utf8Encoder.encode(chunk.cname);
    if (cname !== undefined && cname.length > 255) return err('text-too-long');
    encoded.push({ ssrc: chunk.ssrc, cname });
    // SSRC, the item, and at least one null octet, rounded up to a word.
    length += (4 + (cname === undefined ? 0 : 2 + cname.length) + 4) & ~3;
  }
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of encoded) {
    writeUint32(body, offset, chunk.ssrc);
    offset += 4;
    if (chunk.cname !== undefined) {
      body[offset] = SDES_CNAME;
      body[offset + 1] = chunk.cname.length;
      body.set(chunk.cname, offset + 2);
      offset += 2 + chunk.cname.length;
    }
    offset = (offset + 4) & ~3; // the buffer is zeroed, so the terminating null octets are already there
  }
  return ok({ count: packet.chunks.length, packetType: RTCP_SOURCE_DESCRIPTION, body });
}

function encodeGoodbye(packet: Goodbye): Result<EncodedPacket, RtcpWriteError> {
  if (packet.ssrcs.length > MAX_RTCP_COUNT) return err('too-many-items');
  if (!packet.ssrcs.every((ssrc) => isUint(ssrc, 32))) return err('bad-field');
  const reason = packet.reason === undefined ? undefined : utf8Encoder.encode(packet.reason);
  if (reason !== undefined && reason.length > 255) return err('text-too-long');
  const reasonLength = reason === undefined ? 0 : (1 + reason.length + 3) & ~3;
  const body = new Uint8Array(packet.ssrcs.length * 4 + reasonLength);
  packet.ssrcs.forEach((ssrc, i) => writeUint32(body, i * 4, ssrc));
  if (reason !== undefined) {
    body[packet.ssrcs.length * 4] = reason.length;
    body.set(reason, packet.ssrcs.length * 4 + 1);
  }
  return ok({ count: packet.ssrcs.length, packetType: RTCP_GOODBYE, body });
}

/** Serializes a compound packet; like the parser, it insists on an SR or RR first (§6.1). No padding is added. */
export function serializeRtcpCompound(packets: readonly RtcpPacket[]): Result<Uint8Array, RtcpWriteError> {
  const first = packets[0];
  if (first === undefined) return err('empty');
  if (first.type !== 'sr' && first.type !== 'rr') return err('first-not-report');
  const encoded: EncodedPacket[] = [];
  for (const packet of packets) {
    const one = encodeOne(packet);
    if (!one.ok) return one;
    if (one.value.body.length / 4 > 0xffff) return err('bad-body');
    encoded.push(one.value);
  }
  const out = new Uint8Array(encoded.reduce((sum, one) => sum + HEADER_LENGTH + one.body.length, 0));
  let offset = 0;
  for (const one of encoded) {
    out[offset] = (2 << 6) | one.count;
    out[offset + 1] = one.packetType;
    const words = one.body.length / 4; // the length field is words − 1, and the header is one word
    out[offset + 2] = words >>> 8;
    out[offset + 3] = words;
    out.set(one.body, offset + HEADER_LENGTH);
    offset += HEADER_LENGTH + one.body.length;
  }
  return ok(out);
}

/** The middle 32 bits of a 64-bit NTP timestamp: what an LSR field holds (§6.4.1). */
export function middleNtpBits(ntpSeconds: number, ntpFraction: number): number {
  return (((ntpSeconds & 0xffff) << 16) | (ntpFraction >>> 16)) >>> 0;
}

/**
 * §6.4.1: the round-trip time to a receiver, from one of its report blocks about us and the middle NTP bits of the
 * moment the block arrived, in seconds; undefined when the receiver has not yet seen an SR of ours.
 */
export function roundTripSeconds(block: ReportBlock, arrivalMiddleNtp: number): number | undefined {
  if (block.lastSenderReport === 0) return undefined;
  const units = (arrivalMiddleNtp - block.lastSenderReport - block.delaySinceLastSenderReport) >>> 0;
  // A negative result (clock skew, a bogus block) wraps to a huge value; treat over half the range as none.
  if (units >= 0x80000000) return undefined;
  return units / 65536;
}
