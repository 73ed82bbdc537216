// Digest response computation and credentials formatting: RFC 7616 §3.4.1–3.4.4 (response, A1/A2, -sess, userhash)
// with the SIP profile of RFC 3261 §22.4 and the SHA-2 algorithms of RFC 8760 §2. Without qop the response
// falls back to the RFC 2069 form that RFC 3261 keeps for compatibility.
import { createHash } from 'node:crypto';
import type { Result } from '../message/result';
import type { DigestChallenge } from './challenge';

export type DigestAlgorithmName =
  'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess' | 'SHA-512-256' | 'SHA-512-256-sess';

export type Qop = 'auth' | 'auth-int';

export interface DigestAlgorithm {
  readonly name: DigestAlgorithmName;
  /** node:crypto hash name. */
  readonly hash: 'md5' | 'sha256' | 'sha512-256';
  /** -sess variants fold the nonce and cnonce into HA1 (RFC 7616 §3.4.2). */
  readonly session: boolean;
  /** Preference when a server offers several (RFC 8760 §2.4); higher wins. */
  readonly strength: number;
}

export const DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = [
  { name: 'MD5', hash: 'md5', session: false, strength: 1 },
  { name: 'MD5-sess', hash: 'md5', session: true, strength: 1 },
  { name: 'SHA-256', hash: 'sha256', session: false, strength: 2 },
  { name: 'SHA-256-sess', hash: 'sha256', session: true, strength: 2 },
  // SHA-512/256 (FIPS 180-4), which has its own initial values: not SHA-512 cut to 256 bits.
  { name: 'SHA-512-256', hash: 'sha512-256', session: false, strength: 3 },
  { name: 'SHA-512-256-sess', hash: 'sha512-256', session: true, strength: 3 },
];

/** Looks an algorithm up by name, ignoring case (servers differ in how they spell "-sess"). */
export function findAlgorithm(name: string): DigestAlgorithm | undefined {
  const wanted = name.trim().toLowerCase();
  return DIGEST_ALGORITHMS.find((algorithm) => algorithm.name.toLowerCase() === wanted);
}

/**
 * Picks the qop to answer with: `auth` when offered, else `auth-int`, else none when the server offered none.
 * A server that offers only options we do not know cannot be answered (RFC 7616 §3.4: the client must pick one).
 */
export function chooseQop(offered: readonly string[]): Result<Qop | undefined, string> {
  if (offered.length === 0) return { ok: true, value: undefined };
  const options = offered.map((option) => option.toLowerCase());
  if (options.includes('auth')) return { ok: true, value: 'auth' };
  if (options.includes('auth-int')) return { ok: true, value: 'auth-int' };
  return { ok: false, error: `no supported qop among "${offered.join(',')}"` };
}

function hashHex(algorithm: DigestAlgorithm, data: string | Uint8Array): string {
  const hash = createHash(algorithm.hash);
  if (typeof data === 'string') hash.update(data, 'utf8');
  else hash.update(data);
  return hash.digest('hex');
}

/** nc as sent on the wire: eight lower-case hex digits (RFC 7616 §3.4). */
export function formatNonceCount(nc: number): string {
  return nc.toString(16).padStart(8, '0');
}

/** RFC 7616 §3.4.4: the username sent when the server asked for userhash=true. */
export function hashUsername(algorithm: DigestAlgorithm, username: string, realm: string): string {
  return hashHex(algorithm, `${username}:${realm}`);
}

export interface ResponseInput {
  readonly algorithm: DigestAlgorithm;
  /** The plain username: A1 always uses it, even when the credentials carry the userhash. */
  readonly username: string;
  readonly password: string;
  readonly realm: string;
  readonly nonce: string;
  readonly method: string;
  /** The digest-uri: for SIP the Request-URI exactly as sent. */
  readonly uri: string;
  readonly qop?: Qop;
  /** Used with a qop only. */
  readonly nc?: number;
  /** Used with a qop and by -sess algorithms. */
  readonly cnonce?: string;
  /** Message body for auth-int; empty when absent. */
  readonly body?: Uint8Array;
}

/** The request-digest (the `response` parameter). */
export function computeResponse(input: ResponseInput): string {
  const { algorithm } = input;
  const cnonce = input.cnonce ?? '';
  let ha1 = hashHex(algorithm, `${input.username}:${input.realm}:${input.password}`);
  if (algorithm.session) ha1 = hashHex(algorithm, `${ha1}:${input.nonce}:${cnonce}`);

  const a2 =
    input.qop === 'auth-int'
      ? `${input.method}:${input.uri}:${hashHex(algorithm, input.body ?? new Uint8Array(0))}`
      : `${input.method}:${input.uri}`;
  const ha2 = hashHex(algorithm, a2);

  if (input.qop === undefined) return hashHex(algorithm, `${ha1}:${input.nonce}:${ha2}`);
  const nc = formatNonceCount(input.nc ?? 1);
  return hashHex(algorithm, `${ha1}:${input.nonce}:${nc}:${cnonce}:${input.qop}:${ha2}`);
}

export interface Credentials {
  /** Already hashed when userhash is true. */
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  readonly algorithm: DigestAlgorithmName;
  readonly cnonce?: string;
  readonly opaque?: string;
  readonly qop?: Qop;
  readonly nc?: number;
  readonly userhash?: boolean;
}

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}

/** The Authorization / Proxy-Authorization value; qop, nc and algorithm go unquoted as RFC 7616 §3.4 requires. */
export function formatCredentials(credentials: Credentials): string {
  const parts = [
    `username=${quote(credentials.username)}`,
    `realm=${quote(credentials.realm)}`,
    `nonce=${quote(credentials.nonce)}`,
    `uri=${quote(credentials.uri)}`,
    `response=${quote(credentials.response)}`,
    `algorithm=${credentials.algorithm}`,
  ];
  if (credentials.cnonce !== undefined) parts.push(`cnonce=${quote(credentials.cnonce)}`);
  if (credentials.opaque !== undefined) parts.push(`opaque=${quote(credentials.opaque)}`);
  if (credentials.qop !== undefined) {
    parts.push(`qop=${credentials.qop}`, `nc=${formatNonceCount(credentials.nc ?? 1)}`);
  }
  if (credentials.userhash) parts.push('userhash=true');
  return `Digest ${parts.join(', ')}`;
}

export interface AnswerInput {
  readonly challenge: DigestChallenge;
  readonly username: string;
  readonly password: string;
  readonly method: string;
  readonly uri: string;
  readonly body?: Uint8Array;
  /** Nonce count for this use of the challenge's nonce, starting at 1. */
  readonly nc: number;
  /** Fresh client nonce; ignored when neither a qop nor a -sess algorithm needs it. */
  readonly cnonce: string;
}

/** Answers one challenge: the complete Authorization / Proxy-Authorization value. */
export function answerChallenge(input: AnswerInput): Result<string, string> {
  const { challenge } = input;
  const algorithm = findAlgorithm(challenge.algorithm);
  if (algorithm === undefined) return { ok: false, error: `unsupported algorithm "${challenge.algorithm}"` };
  const qop = chooseQop(challenge.qop);
  if (!qop.ok) return qop;

  const usesCnonce = qop.value !== undefined || algorithm.session;
  const cnonce = usesCnonce ? input.cnonce : undefined;
  const response = computeResponse({
    algorithm,
    username: input.username,
    password: input.password,
    realm: challenge.realm,
    nonce: challenge.nonce,
    method: input.method,
    uri: input.uri,
    qop: qop.value,
    nc: input.nc,
    cnonce,
    body: input.body,
  });
  return {
    ok: true,
    value: formatCredentials({
      username: challenge.userhash
        ? hashUsername(algorithm, input.username, challenge.realm)
        : input.username,
      realm: challenge.realm,
      nonce: challenge.nonce,
      uri: input.uri,
      response,
      algorithm: algorithm.name,
      cnonce,
      opaque: challenge.opaque,
      qop: qop.value,
      nc: input.nc,
      userhash: challenge.userhash,
    }),
  };
}
