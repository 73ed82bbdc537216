// The registration state of the user agent as the contract's DTO: codes and technical details only, the failure of
// the previous attempt while a retry runs, and "no password set" told apart from "wrong password".
import { describe, expect, it } from 'vitest';
import {
  disabledStatus,
  notRegisteringStatus,
  passwordUnavailableStatus,
  statusFromState,
} from '../../../main/services/registration-status';

const server = '127.0.0.1:5299';

describe('statusFromState', () => {
  it('carries a failure with its retry as codes and a detail line', () => {
    const status = statusFromState(
      'a1',
      { name: 'failed', reason: 'timeout', status: 408, detail: '408 no answer', retryInMs: 12_000 },
      { hasPassword: true, server },
    );
    expect(status).toEqual({
      accountId: 'a1',
      state: 'failed',
      expires: null,
      failure: 'timeout',
      detail: '408 no answer',
      status: 408,
      retryInMs: 12_000,
      lastFailure: null,
      server,
    });
  });

  it('keeps the last failure while registering again after it', () => {
    const status = statusFromState(
      'a1',
      {
        name: 'registering',
        attempt: 2,
        previous: { reason: 'timeout', status: 408, detail: '408 no answer' },
      },
      { hasPassword: true, server },
    );
    expect(status).toMatchObject({
      state: 'registering',
      failure: null,
      lastFailure: { failure: 'timeout', status: 408, detail: '408 no answer' },
      server,
    });
  });

  it('has no last failure on a first attempt', () => {
    expect(statusFromState('a1', { name: 'registering', attempt: 1 }).lastFailure).toBeNull();
  });

  it('calls refused credentials "no password" when none is stored, now and as the last failure', () => {
    const noPassword = { hasPassword: false };
    expect(
      statusFromState(
        'a1',
        { name: 'failed', reason: 'bad-credentials', status: 401, detail: '401' },
        noPassword,
      ).failure,
    ).toBe('no-password');
    expect(
      statusFromState(
        'a1',
        { name: 'registering', attempt: 2, previous: { reason: 'bad-credentials', detail: '401' } },
        noPassword,
      ).lastFailure?.failure,
    ).toBe('no-password');
    expect(
      statusFromState(
        'a1',
        { name: 'failed', reason: 'bad-credentials', detail: '401' },
        { hasPassword: true },
      ).failure,
    ).toBe('bad-credentials');
  });

  it('forgets the server once unregistered', () => {
    expect(statusFromState('a1', { name: 'unregistered' }, { hasPassword: true, server }).server).toBeNull();
  });

  it('sends no sentences: every field is a code, a number or a technical detail', () => {
    for (const status of [
      disabledStatus('a1'),
      notRegisteringStatus('a1', server),
      passwordUnavailableStatus('a1', 'key-missing'),
      statusFromState('a1', { name: 'registered', expires: 600, contact: 'sip:a@10.0.0.2:5062' }),
    ]) {
      expect(Object.keys(status).sort()).toEqual(
        [
          'accountId',
          'detail',
          'expires',
          'failure',
          'lastFailure',
          'retryInMs',
          'server',
          'state',
          'status',
        ].sort(),
      );
    }
    expect(notRegisteringStatus('a1', server)).toMatchObject({
      state: 'not-registering',
      server,
      failure: null,
      expires: null,
    });
    expect(notRegisteringStatus('a1').server).toBeNull();
    expect(passwordUnavailableStatus('a1', 'key-missing')).toMatchObject({
      state: 'failed',
      failure: 'password-unavailable',
      detail: 'key-missing',
    });
  });
});
