// Our side of the session: one `o=` line for the life of a dialog. RFC 3264 §8: every new offer or answer that
// differs from the previous one carries the version plus one; re-sending the same description keeps the version
// (so the far end can tell a refresh, e.g. a session-timer re-INVITE, from a change).
import type { Random } from '../platform/random';
import { serializeSessionDescription } from './serialize-session-description';
import type { ConnectionAddress, SessionDescription } from './session-description';

/** A description without its `o=` line: what createOffer and createAnswer build. */
export type SessionBody = Omit<SessionDescription, 'origin'>;

export interface DescribedSession {
  readonly session: SessionDescription;
  readonly text: string;
}

export class LocalSessionDescription {
  readonly sessionId: string;
  readonly #username: string;
  readonly #originAddress: ConnectionAddress;
  #version: number;
  #previous: string | undefined;

  /**
   * RFC 8866 §5.2 only asks the id to be unique; 48 random bits is plenty and stays an exact JavaScript number.
   * The first version is the same value, as RFC 3264's examples do, so a restarted phone never reuses a pair.
   */
  constructor(random: Random, originAddress: ConnectionAddress, username = '-') {
    let value = 0;
    for (const byte of random.bytes(6)) value = value * 256 + byte;
    this.sessionId = String(value);
    this.#version = value;
    this.#username = username;
    this.#originAddress = originAddress;
  }

  /** The version the next unchanged description will carry. */
  get version(): number {
    return this.#version;
  }

  /** Stamps `body` with our `o=` line, incrementing the version when the body differs from the last one sent. */
  describe(body: SessionBody): DescribedSession {
    const comparable = serializeSessionDescription(this.#stamp(body, 0));
    if (this.#previous !== undefined && comparable !== this.#previous) this.#version += 1;
    this.#previous = comparable;
    const session = this.#stamp(body, this.#version);
    return { session, text: serializeSessionDescription(session) };
  }

  #stamp(body: SessionBody, version: number): SessionDescription {
    return {
      ...body,
      origin: {
        username: this.#username,
        sessionId: this.sessionId,
        sessionVersion: String(version),
        address: this.#originAddress,
      },
    };
  }
}
