// Every schema migration, in order. Append new ones; never edit or renumber one that has shipped.
import type { Migration } from '../migrate';
import { accountsSettings } from './001-accounts-settings';
import { accountRegistrarKeepAlive } from './002-account-registrar-keep-alive';
import { calls } from './003-calls';
import { accountPresenceList } from './006-account-presence-list';

// Versions 4 (contacts) and 5 (messages) are written alongside 6 and slot in before it; migrate() tolerates the gap.
export const migrations: readonly Migration[] = [
  accountsSettings,
  accountRegistrarKeepAlive,
  calls,
  accountPresenceList,
];
