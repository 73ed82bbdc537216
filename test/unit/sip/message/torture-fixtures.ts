// Loads the RFC 4475 and RFC 5118 torture messages kept byte-exact under test/fixtures/sip-torture/, and the
// helpers the torture tests share to assert a parse outcome.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { SipRequest, SipResponse } from '../../../../main/sip/message/message';
import { parseMessage } from '../../../../main/sip/message/parse';
import type { ParseError } from '../../../../main/sip/message/result';

export type TortureSet = 'rfc4475' | 'rfc5118';

const ROOT = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'sip-torture');
const EXTENSION: Record<TortureSet, string> = { rfc4475: '.dat', rfc5118: '.sip' };

/** The bytes of one fixture, by its name without extension (`wsinv`, `ipv6-good`). */
export function fixture(set: TortureSet, name: string): Buffer {
  return readFileSync(join(ROOT, set, `${name}${EXTENSION[set]}`));
}

/** Every fixture name of a set, without extension, sorted. */
export function fixtureNames(set: TortureSet): string[] {
  return readdirSync(join(ROOT, set))
    .filter((file) => file.endsWith(EXTENSION[set]))
    .map((file) => file.slice(0, -EXTENSION[set].length))
    .sort();
}

/** Files whose SHA-256 differs from the set's SHA256SUMS (and files SHA256SUMS lists but the set lacks). */
export function checksumMismatches(set: TortureSet): string[] {
  const sums = readFileSync(join(ROOT, set, 'SHA256SUMS'), 'utf8');
  const bad: string[] = [];
  for (const line of sums.split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (!match) continue;
    let actual: string;
    try {
      actual = createHash('sha256')
        .update(readFileSync(join(ROOT, set, match[2]!)))
        .digest('hex');
    } catch {
      bad.push(`${match[2]!} (missing)`);
      continue;
    }
    if (actual !== match[1]) bad.push(match[2]!);
  }
  return bad;
}

/** The file names SHA256SUMS lists for a set. */
export function checksumNames(set: TortureSet): string[] {
  const sums = readFileSync(join(ROOT, set, 'SHA256SUMS'), 'utf8');
  return sums
    .split('\n')
    .map((line) => /^[0-9a-f]{64} [ *](.+)$/.exec(line.trim())?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

// The torture tests ask what the parser can reject, so they use strict validation (every Via, Contact, Route and
// Record-Route). On the packet path the UA validates those when a usage reads them and answers 400 then.
const STRICT = { strict: true } as const;

export function parsedRequest(set: TortureSet, name: string): SipRequest {
  const result = parseMessage(fixture(set, name), STRICT);
  if (!result.ok) throw new Error(`${name} did not parse: ${result.error.reason}`);
  expect(result.message.kind).toBe('request');
  return result.message as SipRequest;
}

export function parsedResponse(set: TortureSet, name: string): SipResponse {
  const result = parseMessage(fixture(set, name), STRICT);
  if (!result.ok) throw new Error(`${name} did not parse: ${result.error.reason}`);
  expect(result.message.kind).toBe('response');
  return result.message as SipResponse;
}

export function rejected(set: TortureSet, name: string): ParseError {
  const result = parseMessage(fixture(set, name), STRICT);
  if (result.ok) throw new Error(`${name} parsed but should have been rejected`);
  expect(result.error.reason.length).toBeGreaterThan(0);
  return result.error;
}
