// Words for a command that failed. The engine answers with a code, the field concerned and a technical message; the
// sentence a person reads is chosen here, from the code (and the field, where it changes the meaning), and the
// engine's message is kept as the detail under it.
import type { CommandError, ErrorCode } from '../../../main/contract/contract';

const BY_CODE: Readonly<Record<ErrorCode, string>> = {
  'invalid-argument': 'The app did not accept this value.',
  'not-found': 'That account no longer exists.',
  conflict: 'That cannot be done in the account’s current state.',
  storage: 'The app could not save this on your computer.',
  unavailable: 'The app cannot do that right now.',
  unauthorized: 'This page is not allowed to talk to the softphone.',
  internal: 'Something went wrong inside the app.',
};

/** Sentences for a code on one field, where the field says more than the code alone. */
const BY_FIELD: Readonly<Partial<Record<ErrorCode, Readonly<Record<string, string>>>>> = {
  conflict: { aor: 'An account with this address and outbound proxy already exists.' },
};

export interface ErrorText {
  /** What a person reads. */
  readonly text: string;
  /** The engine's technical message, for a detail line; null when it adds nothing. */
  readonly detail: string | null;
}

/** The field an error is about, without the argument position the engine may put in front (`0.aor` → `aor`). */
export function errorField(error: CommandError): string | null {
  return error.field?.split('.').pop() ?? null;
}

export function commandErrorText(error: CommandError): ErrorText {
  const field = errorField(error);
  const text = (field !== null ? BY_FIELD[error.code]?.[field] : undefined) ?? BY_CODE[error.code];
  const detail = error.message.trim();
  return { text, detail: detail === '' || detail === text ? null : detail };
}
