// The contract every parser in the throughput benchmark is wrapped in, so they all do the same work per message.

/** The values a UA reads from every message it receives: written into one reused object, so reading costs no allocation. */
export interface UaFields {
  branch: string | null | undefined;
  fromTag: string | null | undefined;
  toTag: string | null | undefined;
  callId: string | undefined;
  cseq: number | undefined;
  method: string | undefined;
  /** The first Contact URI in whatever form the parser hands it out (text or an object); undefined when absent. */
  contactUri: unknown;
}

export function emptyUaFields(): UaFields {
  return {
    branch: undefined,
    fromTag: undefined,
    toTag: undefined,
    callId: undefined,
    cseq: undefined,
    method: undefined,
    contactUri: undefined,
  };
}

export interface ParsePeer {
  /** Row label in the results table, with the package version. */
  readonly label: string;
  /** What the reader of the table must know to judge the row: input conversion, laziness, quirks. */
  readonly notes: readonly string[];
  /** Parses the datagram and reads nothing; undefined when the parser rejects it. */
  parse(data: Buffer): unknown;
  /**
   * Parses the datagram, then reads the UA fields into `out`; false when the parser rejects it.
   * Absent for the baseline, which has no typed values to read.
   */
  readonly parseAndRead?: (data: Buffer, out: UaFields) => boolean;
  /** Turns the parser's URI object into text, so the pre-timing check can compare it with the other parsers. */
  readonly uriText?: (uri: unknown) => string;
}
