// Turns the engine's registration state into the contract's RegistrationStatusDto: codes and technical details only.
// The sentences a person reads are the window's (renderer/src/lib/registration-text.ts).
import type { RegistrationFailure, RegistrationStatusDto } from '../contract/contract';
import type { FailureReason, RegistrationState } from '../ua/registration/registration-state';

// Every reason the user agent reports is one the contract knows: this fails to compile if the UA gains one.
const _engineToContract: RegistrationFailure = '' as FailureReason;
void _engineToContract;

/** What the service knows about the account that the user agent does not. */
export interface StatusContext {
  /** No password is stored: a credentials failure then means "no password set", not "wrong password". */
  readonly hasPassword: boolean;
  /** The first hop, `host:port`, when it has been resolved. */
  readonly server?: string;
}

export function disabledStatus(accountId: string): RegistrationStatusDto {
  return blank(accountId, 'disabled');
}

/** An enabled account set never to REGISTER: up, calling through `server` (its first hop) once that is known. */
export function notRegisteringStatus(accountId: string, server: string | null = null): RegistrationStatusDto {
  return { ...blank(accountId, 'not-registering'), server };
}

export function statusFromState(
  accountId: string,
  state: RegistrationState,
  context: StatusContext = { hasPassword: true },
): RegistrationStatusDto {
  const status = statusOf(accountId, state, context);
  return context.server !== undefined && state.name !== 'unregistered'
    ? { ...status, server: context.server }
    : status;
}

function statusOf(
  accountId: string,
  state: RegistrationState,
  context: StatusContext,
): RegistrationStatusDto {
  switch (state.name) {
    case 'registered':
      return {
        ...blank(accountId, 'registered'),
        expires: state.expires,
        detail: `binding ${state.contact} for ${state.expires} s`,
      };
    case 'failed':
      return {
        ...blank(accountId, 'failed'),
        failure: failureOf(state.reason, context),
        detail: state.detail,
        status: state.status ?? null,
        retryInMs: state.retryInMs ?? null,
      };
    case 'registering':
      return {
        ...blank(accountId, 'registering'),
        lastFailure: state.previous
          ? {
              failure: failureOf(state.previous.reason, context),
              detail: state.previous.detail,
              status: state.previous.status ?? null,
            }
          : null,
      };
    case 'unregistering':
      return blank(accountId, 'unregistering');
    case 'unregistered':
      return blank(accountId, 'unregistered');
  }
}

/** The stored password could not be decrypted (key file lost, OS keyring changed). */
export function passwordUnavailableStatus(accountId: string, detail: string): RegistrationStatusDto {
  return { ...blank(accountId, 'failed'), failure: 'password-unavailable', detail };
}

/** The account cannot start: its server's name did not resolve, or no local address routes to it. */
export function unreachableStatus(accountId: string, detail: string): RegistrationStatusDto {
  return { ...blank(accountId, 'failed'), failure: 'unreachable', detail };
}

function failureOf(reason: FailureReason, context: StatusContext): RegistrationFailure {
  return reason === 'bad-credentials' && !context.hasPassword ? 'no-password' : reason;
}

function blank(accountId: string, state: RegistrationStatusDto['state']): RegistrationStatusDto {
  return {
    accountId,
    state,
    expires: null,
    failure: null,
    detail: null,
    status: null,
    retryInMs: null,
    lastFailure: null,
    server: null,
  };
}
