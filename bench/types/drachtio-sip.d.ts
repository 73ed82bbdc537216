// Minimal types for the untyped `drachtio-sip` package (0.6.3): only the message class the benchmark measures.
declare module 'drachtio-sip' {
  /** Header parameters; a parameter without a value is undefined. */
  export type DrachtioParams = Record<string, string | undefined>;

  export interface DrachtioVia {
    version: string;
    protocol: string;
    host: string;
    port: number | undefined;
    params: DrachtioParams;
  }

  export interface DrachtioAddress {
    name: string | undefined;
    /** The URI text between the angle brackets (not parsed). */
    uri: string;
    params: DrachtioParams;
  }

  /** What getParsedHeader returns for the headers it has a parser for (names in lower case). */
  export interface DrachtioParsedHeaders {
    via: DrachtioVia[];
    from: DrachtioAddress;
    to: DrachtioAddress;
    contact: DrachtioAddress[] | '*';
    cseq: { seq: number; method: string };
  }

  export class SipMessage {
    /** Parses the text of a message, keeping every header as its raw string; throws when it cannot. */
    constructor(raw?: string);
    headers: Record<string, string>;
    method?: string;
    status?: number;
    reason?: string;
    uri?: string;
    body: string;
    get(name: string): string | undefined;
    has(name: string): boolean;
    /** Parses the raw header again on every call. */
    getParsedHeader<K extends keyof DrachtioParsedHeaders>(name: K): DrachtioParsedHeaders[K];
  }
}
