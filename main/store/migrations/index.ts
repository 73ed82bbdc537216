// Every schema migration, in order. Append new ones; never edit or renumber one that has shipped.
import type { Migration } from '../migrate';
import { accountsSettings } from './001-accounts-settings';
import { accountRegistrarKeepAlive } from './002-account-registrar-keep-alive';
import { calls } from './003-calls';
import { messages } from './005-messages';

// Version 4 (contacts) is written alongside 5 and slots in before it; migrate() tolerates the gap until then.
export const migrations: readonly Migration[] = [
  accountsSettings,
  accountRegistrarKeepAlive,
  calls,
  messages,
];
