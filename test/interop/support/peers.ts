// Which real peers are installed. Interop tests skip when a peer is missing, except in CI, which sets
// SOFTPHONE_REQUIRE_PEERS=1 so that a missing peer fails loudly instead of silently skipping.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

// Debian installs kamailio and kamcmd in sbin, which is not on an unprivileged user's PATH.
const SBIN_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** Absolute path of an executable found on PATH or in the sbin directories, or undefined. */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter((d) => d !== ''), ...SBIN_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

export interface PeerAvailability {
  /** kamailio, kamcmd and sqlite3 (the subscriber table is created with the sqlite3 CLI). */
  readonly kamailio: boolean;
  readonly sipp: boolean;
  /** Debian's Chromium, driven by playwright-core for the browser tests. */
  readonly chromium: boolean;
  /** baresip 1.0 (Debian's baresip-core), the far-end phone of the call tests. */
  readonly baresip: boolean;
}

const KAMAILIO_TOOLS = ['kamailio', 'kamcmd', 'sqlite3'];
const SIPP_TOOLS = ['sipp'];
const CHROMIUM_TOOLS = ['chromium'];
const BARESIP_TOOLS = ['baresip'];

export function peersRequired(): boolean {
  return process.env.SOFTPHONE_REQUIRE_PEERS === '1';
}

/**
 * Which peers can run here. Throws when SOFTPHONE_REQUIRE_PEERS=1 and any is missing, so a CI run cannot pass
 * by skipping. Use as `describe.skipIf(!peersAvailable().kamailio)(...)`.
 */
export function peersAvailable(): PeerAvailability {
  const missing = [...KAMAILIO_TOOLS, ...SIPP_TOOLS, ...CHROMIUM_TOOLS, ...BARESIP_TOOLS].filter(
    (tool) => findExecutable(tool) === undefined,
  );
  if (missing.length > 0 && peersRequired()) {
    throw new Error(
      `SOFTPHONE_REQUIRE_PEERS=1 but these interop peers are not installed: ${missing.join(', ')} ` +
        '(Debian packages: kamailio kamailio-sqlite-modules kamailio-utils-modules sip-tester sqlite3 chromium ' +
        'baresip-core)',
    );
  }
  return {
    kamailio: KAMAILIO_TOOLS.every((tool) => !missing.includes(tool)),
    sipp: SIPP_TOOLS.every((tool) => !missing.includes(tool)),
    chromium: CHROMIUM_TOOLS.every((tool) => !missing.includes(tool)),
    baresip: BARESIP_TOOLS.every((tool) => !missing.includes(tool)),
  };
}

/** Path of a required peer executable; throws a clear error when it is not installed. */
export function requireExecutable(name: string): string {
  const found = findExecutable(name);
  if (found === undefined) {
    throw new Error(
      `${name} is not installed (needed by the interop tests); see test/interop/support/peers.ts`,
    );
  }
  return found;
}
