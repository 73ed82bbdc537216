// Minimal types for the untyped `sip` package (0.0.6): only the parser the benchmark measures.
declare module 'sip' {
  /** Header parameters; a parameter without a value is null. */
  export type SipJsParams = Record<string, string | null>;

  export interface SipJsVia {
    version: string;
    protocol: string;
    host: string;
    port?: number;
    params: SipJsParams;
  }

  export interface SipJsAddress {
    /** Display name as written, quotes included. */
    name?: string;
    /** The URI text between the angle brackets (not parsed). */
    uri: string;
    params: SipJsParams;
  }

  export interface SipJsHeaders {
    via?: SipJsVia[];
    from?: SipJsAddress;
    to?: SipJsAddress;
    'call-id'?: string;
    cseq?: { seq: number; method: string };
    contact?: SipJsAddress[] | '*';
    'content-length'?: number;
    [name: string]: unknown;
  }

  export interface SipJsMessage {
    method?: string;
    uri?: string;
    status?: number;
    reason?: string;
    version: string;
    headers: SipJsHeaders;
    content: string;
  }

  /** Parses one datagram (decoded as latin1); undefined when the start line or a header line is malformed. */
  export function parse(data: Buffer | string): SipJsMessage | undefined;
}
