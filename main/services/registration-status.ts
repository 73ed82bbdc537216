// Turns the engine's registration state into what a person reads: one sentence they can act on, and a technical
// line (status code, reason, next retry) for whoever they ask for help.
import type { RegistrationFailure, RegistrationStatusDto } from '../ipc/contract';
import type { FailureReason, RegistrationState } from '../ua/registration/registration-state';

// The contract repeats the engine's failure reasons (it must stay types-only and stand alone for the renderer);
// these two assignments fail to compile if either list gains a reason the other lacks.
const _engineToContract: RegistrationFailure = '' as FailureReason;
const _contractToEngine: FailureReason = '' as RegistrationFailure;
void _engineToContract;
void _contractToEngine;

const SUMMARIES: Readonly<Record<RegistrationFailure | 'password-unavailable', string>> = {
  'bad-credentials': 'The user name or password was not accepted.',
  forbidden: 'The server refused this account.',
  'not-found': 'The server does not know this user.',
  timeout: 'The server did not answer.',
  unreachable: 'The server could not be reached.',
  'server-error': 'The server reported a problem of its own.',
  rejected: 'The server turned the registration down.',
  'interval-too-brief': 'The server wants a longer registration interval.',
  'unsupported-challenge': 'The server asks for a sign-in method this app does not support.',
  'connection-lost': 'The connection to the server was lost.',
  'password-unavailable': 'The saved password cannot be read on this computer; enter it again.',
};

export function disabledStatus(accountId: string): RegistrationStatusDto {
  return blank(accountId, 'disabled');
}

export function statusFromState(accountId: string, state: RegistrationState): RegistrationStatusDto {
  switch (state.name) {
    case 'registered':
      return {
        ...blank(accountId, 'registered'),
        expires: state.expires,
        summary: 'Registered',
        detail: `binding ${state.contact} for ${state.expires} s`,
      };
    case 'failed': {
      const retry =
        state.retryInMs !== undefined ? ` — trying again in ${Math.ceil(state.retryInMs / 1000)} s` : '';
      return {
        ...blank(accountId, 'failed'),
        failure: state.reason,
        summary: SUMMARIES[state.reason],
        detail: `${state.detail}${retry}`,
        status: state.status ?? null,
        retryInMs: state.retryInMs ?? null,
      };
    }
    case 'registering':
      return { ...blank(accountId, 'registering'), summary: 'Registering…' };
    case 'unregistering':
      return { ...blank(accountId, 'unregistering'), summary: 'Signing out…' };
    case 'unregistered':
      return { ...blank(accountId, 'unregistered'), summary: 'Not registered' };
  }
}

/** The stored password could not be decrypted (key file lost, OS keyring changed). */
export function passwordUnavailableStatus(accountId: string, detail: string): RegistrationStatusDto {
  return {
    ...blank(accountId, 'failed'),
    failure: 'bad-credentials',
    summary: SUMMARIES['password-unavailable'],
    detail,
  };
}

function blank(accountId: string, state: RegistrationStatusDto['state']): RegistrationStatusDto {
  return {
    accountId,
    state,
    expires: null,
    failure: null,
    summary: null,
    detail: null,
    status: null,
    retryInMs: null,
  };
}
