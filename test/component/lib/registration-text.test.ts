// The window's words for a registration: the engine sends codes, details, the server and the retry delay; these
// turn them into what a person reads, never a bare "Registering…" when a failure is known.
import { describe, expect, it } from 'vitest';
import {
  effectiveState,
  failureDetail,
  failureSummary,
  shortStatus,
  statusLine,
  toneOf,
  widestShortStatus,
} from '../../../renderer/src/lib/registration-text';
import { account, status } from '../support/fake-engine';

const server = '127.0.0.1:5299';
const timedOut = status({
  accountId: 'a1',
  state: 'failed',
  failure: 'timeout',
  status: 408,
  detail: '408 no answer from 127.0.0.1:5299',
  retryInMs: 12_000,
  server,
});
const retrying = status({
  accountId: 'a1',
  state: 'registering',
  lastFailure: { failure: 'timeout', status: 408, detail: '408 no answer from 127.0.0.1:5299' },
  server,
});

describe('statusLine', () => {
  it('names the server and counts down to the next attempt while failed', () => {
    expect(statusLine(timedOut)).toBe('No answer from 127.0.0.1:5299 · retrying in 12 s');
    expect(statusLine(timedOut, 11_200)).toBe('No answer from 127.0.0.1:5299 · retrying in 12 s');
    expect(statusLine(timedOut, 11_000)).toBe('No answer from 127.0.0.1:5299 · retrying in 11 s');
    expect(statusLine(timedOut, 0)).toBe('No answer from 127.0.0.1:5299 · retrying in 1 s');
  });

  it('keeps the last failure in view while the retry runs', () => {
    expect(statusLine(retrying)).toBe('No answer from 127.0.0.1:5299 · trying again…');
  });

  it('says only the problem when no retry is planned', () => {
    expect(
      statusLine(status({ accountId: 'a1', state: 'failed', failure: 'no-password', status: 401 })),
    ).toBe('No password set');
  });

  it('falls back to the state name without a failure', () => {
    expect(statusLine(status({ accountId: 'a1', state: 'registering' }))).toBe('Registering…');
    expect(statusLine(status({ accountId: 'a1', state: 'registered', expires: 600 }))).toBe('Registered');
  });
});

describe('shortStatus', () => {
  it('shows the last failure while registering again, not a bare "Registering…"', () => {
    expect(shortStatus('registering', retrying)).toBe('Retrying: no answer');
    expect(shortStatus('registering', status({ accountId: 'a1', state: 'registering' }))).toBe(
      'Registering…',
    );
  });

  it('tells "no password set" from "wrong password"', () => {
    expect(shortStatus('failed', status({ accountId: 'a1', state: 'failed', failure: 'no-password' }))).toBe(
      'Failed: no password set',
    );
    expect(
      shortStatus('failed', status({ accountId: 'a1', state: 'failed', failure: 'bad-credentials' })),
    ).toBe('Failed: wrong password');
  });
});

describe('widestShortStatus', () => {
  it('sizes a failing account on its retry form, whether it is failed or retrying right now', () => {
    expect(widestShortStatus('failed', timedOut)).toBe('Retrying: no answer');
    expect(widestShortStatus('registering', retrying)).toBe('Retrying: no answer');
    expect(widestShortStatus('failed', timedOut).length).toBeGreaterThan(
      shortStatus('failed', timedOut).length,
    );
  });

  it('is the plain status for an account that has not failed, or is disabled', () => {
    expect(widestShortStatus('registered', status({ accountId: 'a1', state: 'registered' }))).toBe(
      'Registered',
    );
    expect(widestShortStatus('registering', status({ accountId: 'a1', state: 'registering' }))).toBe(
      'Registering…',
    );
    expect(widestShortStatus('disabled', timedOut)).toBe('Disabled');
    expect(widestShortStatus('unregistered', undefined)).toBe('Not registered');
  });
});

describe('failureSummary and failureDetail', () => {
  it('word the failure from its code, with the technical line under it', () => {
    expect(failureSummary(timedOut)).toBe('The server did not answer in time.');
    expect(failureDetail(timedOut)).toBe('408 no answer from 127.0.0.1:5299');
  });

  it('describe the previous attempt while registering again', () => {
    expect(failureSummary(retrying)).toBe('The server did not answer in time.');
    expect(failureDetail(retrying)).toBe('408 no answer from 127.0.0.1:5299');
  });

  it('explain a missing password and an unreadable one', () => {
    expect(failureSummary(status({ accountId: 'a1', state: 'failed', failure: 'no-password' }))).toMatch(
      /none is set/,
    );
    expect(
      failureSummary(status({ accountId: 'a1', state: 'failed', failure: 'password-unavailable' })),
    ).toMatch(/cannot be read/);
  });
});

describe('an account that does not register', () => {
  it('shows "Not registering" before and after the engine says so, and as off rather than failing', () => {
    const trunk = account({ id: 'a1', register: false });
    expect(effectiveState(trunk, undefined)).toBe('not-registering');
    expect(effectiveState({ ...trunk, enabled: false }, undefined)).toBe('disabled');
    const reported = status({ accountId: 'a1', state: 'not-registering', server: '10.0.0.1:5060' });
    expect(effectiveState(trunk, reported)).toBe('not-registering');
    expect(shortStatus('not-registering', reported)).toBe('Not registering');
    expect(widestShortStatus('not-registering', reported)).toBe('Not registering');
    expect(statusLine(reported)).toBe('Not registering');
    expect(toneOf('not-registering')).toBe('off');
  });

  it('still shows a failure the engine reports for it, such as an unreachable server', () => {
    const trunk = account({ id: 'a1', register: false });
    const failed = status({ accountId: 'a1', state: 'failed', failure: 'unreachable', detail: 'no route' });
    expect(effectiveState(trunk, failed)).toBe('failed');
    expect(shortStatus('failed', failed)).toBe('Failed: server unreachable');
  });
});
