// Unwrapping RTP's modular counters (RFC 3550 §5.1) for the jitter buffer. Sequence numbers wrap at 2^16 and
// timestamps at 2^32; the buffer orders and schedules packets on unbounded numbers instead, each one read relative
// to a reference packet the buffer has already accepted. A counter is taken to have moved by the signed distance
// modulo its width, so a packet just behind the reference stays behind it across a wrap, and one just past the wrap
// lands just ahead. Both functions work whether the caller hands in the raw 16-bit sequence or the extended one
// (ReceivedAudioPacket's `sequence`), since only the low 16 bits are read.

/** Where an accepted packet sits: the unwrapped counters of the packet a new one is read against. */
export interface TimelineReference {
  readonly rawSequence: number;
  readonly sequence: number;
  readonly rawTimestamp: number;
  readonly timestamp: number;
}

/** `raw`'s 16-bit sequence number unwrapped against the reference: the signed distance modulo 2^16 added to it. */
export function unwrapSequence(raw: number, reference: TimelineReference): number {
  // Shifting left then arithmetically right sign-extends the low 16 bits of the difference.
  const delta = ((raw - reference.rawSequence) << 16) >> 16;
  return reference.sequence + delta;
}

/** `raw`'s 32-bit timestamp unwrapped against the reference: the signed distance modulo 2^32 added to it. */
export function unwrapTimestamp(raw: number, reference: TimelineReference): number {
  // `| 0` reads the 32-bit difference as signed.
  const delta = ((raw >>> 0) - reference.rawTimestamp) | 0;
  return reference.timestamp + delta;
}

/** The reference a stream's first packet starts: its own counters, as read. */
export function referenceOf(rawSequence: number, rawTimestamp: number): TimelineReference {
  const sequence = rawSequence & 0xffff;
  const timestamp = rawTimestamp >>> 0;
  return { rawSequence: sequence, sequence, rawTimestamp: timestamp, timestamp };
}

/** The reference moved to a newly accepted packet. */
export function advanceReference(
  rawSequence: number,
  sequence: number,
  rawTimestamp: number,
  timestamp: number,
): TimelineReference {
  return { rawSequence: rawSequence & 0xffff, sequence, rawTimestamp: rawTimestamp >>> 0, timestamp };
}
