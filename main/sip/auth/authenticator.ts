// The UAC side of SIP digest authentication, RFC 3261 §22.2–22.3 with RFC 7616 nonce counting and RFC 8760
// algorithm choice: remembers the challenges of one family of requests (a registration, a dialog), answers them
// on every later request, and decides whether a new 401/407 deserves a retry. A UA retries a rejected password
// at most once, so a wrong password can never loop.
import type { Random } from '../../platform/random';
import { authScheme, parseChallenge } from './challenge';
import type { DigestChallenge } from './challenge';
import { chooseChallenge, groupByRealm } from './choose-challenge';
import { answerChallenge } from './digest';

export type AuthorizationHeaderName = 'Authorization' | 'Proxy-Authorization';

export interface AuthorizationHeader {
  readonly name: AuthorizationHeaderName;
  readonly value: string;
}

export interface AuthRequest {
  readonly method: string;
  /** The Request-URI exactly as it will be sent. */
  readonly uri: string;
  /** Needed only when a server insists on qop=auth-int. */
  readonly body?: Uint8Array;
}

export interface AuthChallengeResponse {
  readonly status: 401 | 407;
  /** Raw WWW-Authenticate (401) or Proxy-Authenticate (407) header values. */
  readonly challenges: readonly string[];
}

export type AuthFailureReason = 'bad-credentials' | 'unsupported-challenge' | 'malformed-challenge';

export type ChallengeOutcome =
  | { readonly action: 'retry' }
  | { readonly action: 'fail'; readonly reason: AuthFailureReason; readonly detail: string };

export interface DigestAuthenticatorOptions {
  readonly username: string;
  readonly password: string;
  readonly random: Random;
  /** Consecutive stale=true challenges tolerated for one realm before giving up (default 3). */
  readonly maxStaleRetries?: number;
}

interface RealmState {
  readonly header: AuthorizationHeaderName;
  challenge: DigestChallenge;
  /** Uses of the current nonce so far; the next request sends nc + 1. */
  nc: number;
  /** Credentials built from the current challenge have gone out. */
  answered: boolean;
  /** A non-stale challenge was accepted since the last success: another one means the password is wrong. */
  rechallenged: boolean;
  staleRetries: number;
}

interface Adoption {
  readonly key: string;
  readonly header: AuthorizationHeaderName;
  readonly challenge: DigestChallenge;
}

const DEFAULT_MAX_STALE_RETRIES = 3;
const CNONCE_BYTES = 16;

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

export class DigestAuthenticator {
  readonly #username: string;
  readonly #password: string;
  readonly #random: Random;
  readonly #maxStaleRetries: number;
  // Keyed by header kind and realm: a proxy and a registrar may share a realm but are answered separately.
  readonly #realms = new Map<string, RealmState>();

  constructor(options: DigestAuthenticatorOptions) {
    this.#username = options.username;
    this.#password = options.password;
    this.#random = options.random;
    this.#maxStaleRetries = options.maxStaleRetries ?? DEFAULT_MAX_STALE_RETRIES;
  }

  /** Credentials for the next request, one header per realm we hold a challenge for; [] before any challenge. */
  authorize(request: AuthRequest): AuthorizationHeader[] {
    if (this.#realms.size === 0) return [];
    // A fresh cnonce per request (RFC 7616 §3.4): never reuse one with a new nc.
    const cnonce = toHex(this.#random.bytes(CNONCE_BYTES));
    const headers: AuthorizationHeader[] = [];
    for (const state of this.#realms.values()) {
      const answer = answerChallenge({
        challenge: state.challenge,
        username: this.#username,
        password: this.#password,
        method: request.method,
        uri: request.uri,
        body: request.body,
        nc: state.nc + 1,
        cnonce,
      });
      // Only answerable challenges are ever stored, so this holds; skipping keeps a surprise from throwing.
      if (!answer.ok) continue;
      state.nc += 1;
      state.answered = true;
      headers.push({ name: state.header, value: answer.value });
    }
    return headers;
  }

  /** Decides what to do with a 401/407: retry (after which authorize() carries the new credentials) or give up. */
  handleChallenge(response: AuthChallengeResponse): ChallengeOutcome {
    const header = headerFor(response.status);
    if (header === undefined)
      return failure('malformed-challenge', `status ${response.status} is not a challenge`);
    const kind = header === 'Authorization' ? 'WWW-Authenticate' : 'Proxy-Authenticate';
    if (response.challenges.length === 0) {
      return failure('malformed-challenge', `${response.status} without ${kind}`);
    }

    const parsed: DigestChallenge[] = [];
    const malformed: string[] = [];
    const unsupported: string[] = [];
    for (const value of response.challenges) {
      const challenge = parseChallenge(value);
      if (challenge.ok) {
        parsed.push(challenge.value);
        continue;
      }
      // Another scheme (Basic, Bearer) is merely not ours; a broken Digest value or no scheme at all is malformed.
      const scheme = authScheme(value);
      if (scheme === undefined || scheme === 'digest') malformed.push(challenge.error);
      else unsupported.push(challenge.error);
    }

    const adoptions: Adoption[] = [];
    for (const [realm, group] of groupByRealm(parsed)) {
      const chosen = chooseChallenge(group);
      if (!chosen.ok) {
        unsupported.push(`realm "${realm}": ${chosen.error}`);
        continue;
      }
      const key = `${header} ${realm}`;
      const state = this.#realms.get(key);
      if (chosen.value.stale) {
        // stale=true: the password was right, only the nonce aged out (RFC 7616 §3.3). Bounded so a broken
        // server cannot keep us retrying forever.
        if (state !== undefined && state.staleRetries >= this.#maxStaleRetries) {
          return failure(
            'bad-credentials',
            `realm "${realm}": ${state.staleRetries} stale challenges in a row`,
          );
        }
      } else if (state !== undefined && state.rechallenged && state.answered) {
        return failure('bad-credentials', `realm "${realm}": credentials rejected`);
      }
      adoptions.push({ key, header, challenge: chosen.value });
    }

    if (adoptions.length === 0) {
      // Malformed only when nothing was even recognisable; an unsupported scheme or algorithm says more.
      if (parsed.length === 0 && unsupported.length === 0) {
        return failure('malformed-challenge', malformed.join('; '));
      }
      return failure(
        'unsupported-challenge',
        [...unsupported, ...malformed].join('; ') || 'nothing to answer',
      );
    }

    for (const adoption of adoptions) this.#adopt(adoption);
    return { action: 'retry' };
  }

  /**
   * The request went through. Cached nonces stay so refreshes go out pre-authorized with a rising nc, but the
   * failure memory clears: a later fresh challenge (a restarted server) earns exactly one retry again.
   */
  noteSuccess(): void {
    for (const state of this.#realms.values()) {
      state.rechallenged = false;
      state.staleRetries = 0;
    }
  }

  /** Forgets every challenge, e.g. when the account's credentials change. */
  reset(): void {
    this.#realms.clear();
  }

  #adopt({ key, header, challenge }: Adoption): void {
    const state = this.#realms.get(key);
    if (state === undefined) {
      this.#realms.set(key, {
        header,
        challenge,
        nc: 0,
        answered: false,
        rechallenged: !challenge.stale,
        staleRetries: challenge.stale ? 1 : 0,
      });
      return;
    }
    // nc counts uses of one nonce: a new nonce starts again at 1.
    if (state.challenge.nonce !== challenge.nonce) state.nc = 0;
    state.challenge = challenge;
    state.answered = false;
    if (challenge.stale) {
      state.staleRetries += 1;
    } else {
      state.rechallenged = true;
      state.staleRetries = 0;
    }
  }
}

function headerFor(status: number): AuthorizationHeaderName | undefined {
  if (status === 401) return 'Authorization';
  if (status === 407) return 'Proxy-Authorization';
  return undefined;
}

function failure(reason: AuthFailureReason, detail: string): ChallengeOutcome {
  return { action: 'fail', reason, detail };
}
