// What one message from a stranger can make us hold or copy (RFC 3261 sets no limits; §18.3 and §21.4.1 let a
// server refuse what it cannot handle). One set for both transports: the stream framer bounds what it buffers
// with the byte limits, and parseMessage, which every datagram and every framed stream message goes through,
// bounds the header lines. A response copies every Via line (§8.2.6.2), so the Via bound also bounds the answer.

export interface MessageLimits {
  /** Start line and header section, in bytes (a datagram carries at most 65,507 in all). */
  readonly maxHeaderBytes: number;
  /** A body on a stream; a datagram's body is bounded by the datagram. */
  readonly maxBodyBytes: number;
  /** One header line with its continuation lines, in characters as decoded (UTF-8 may take more bytes). */
  readonly maxHeaderLineLength: number;
  /** Header lines in one message (continuation lines belong to their header line). */
  readonly maxHeaderLines: number;
  /** Via values in one message, over all Via lines. */
  readonly maxViaValues: number;
}

export const MESSAGE_LIMITS: MessageLimits = {
  maxHeaderBytes: 64 * 1024,
  maxBodyBytes: 1024 * 1024,
  // Long enough for a Digest Authorization or a Record-Route list of a dozen proxies, well short of a datagram.
  maxHeaderLineLength: 8 * 1024,
  // A REGISTER answer listing every binding one per line stays far below this.
  maxHeaderLines: 256,
  // Each proxy on the path adds one: RFC 4475 §3.1.1.7 longreq carries 34, no real path more than a handful.
  maxViaValues: 64,
};
