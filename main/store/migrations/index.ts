// Every schema migration, in order. Append new ones; never edit or renumber one that has shipped.
import type { Migration } from '../migrate';
import { accountsSettings } from './001-accounts-settings';

export const migrations: readonly Migration[] = [accountsSettings];
