import { describe, expect, it } from 'vitest';
import { registrationEvent } from '../../../main/cli/register-command';

describe('registrationEvent', () => {
  it('says which failure a retry follows, so a script sees why it is registering again', () => {
    const event = registrationEvent('sip:alice@127.0.0.1', {
      name: 'registering',
      attempt: 2,
      previous: {
        reason: 'timeout',
        detail: '408 Request Timeout (no answer from 127.0.0.1:5299)',
        status: 408,
      },
    });
    expect(event).toEqual({
      event: 'registration',
      aor: 'sip:alice@127.0.0.1',
      state: 'registering',
      previous: {
        reason: 'timeout',
        detail: '408 Request Timeout (no answer from 127.0.0.1:5299)',
        status: 408,
      },
    });
  });

  it('prints a first attempt without a previous failure', () => {
    expect(registrationEvent('sip:alice@127.0.0.1', { name: 'registering', attempt: 1 })).toEqual({
      event: 'registration',
      aor: 'sip:alice@127.0.0.1',
      state: 'registering',
    });
  });

  it('prints the reason, detail and retry of a failure', () => {
    const event = registrationEvent('sip:alice@127.0.0.1', {
      name: 'failed',
      reason: 'bad-credentials',
      detail: '401 Unauthorized from 127.0.0.1:5060',
      status: 401,
    });
    expect(event).toMatchObject({ state: 'failed', reason: 'bad-credentials', status: 401, retryInMs: null });
  });
});
