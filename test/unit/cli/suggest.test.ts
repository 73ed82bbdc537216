import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from '../../../main/cli/suggest';

describe('editDistance', () => {
  it.each([
    ['register', 'register', 0],
    ['regster', 'register', 1],
    ['reigster', 'register', 1],
    ['registerr', 'register', 1],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('%s → %s is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('closestName', () => {
  const options = ['aor', 'password', 'auth-user', 'proxy', 'registrar', 'transport', 'bind', 'expires'];

  it('finds the option a typo meant', () => {
    expect(closestName('pasword', options)).toBe('password');
    expect(closestName('PROXY', options)).toBe('proxy');
    expect(closestName('expire', options)).toBe('expires');
    expect(closestName('registar', options)).toBe('registrar');
  });

  it('stays quiet when nothing is close', () => {
    expect(closestName('colour', options)).toBeUndefined();
    expect(closestName('x', options)).toBeUndefined();
  });

  it('prefers the nearest of two candidates', () => {
    expect(closestName('bid', ['bind', 'bids2'])).toBe('bind');
  });
});
