// Every schema migration, in order. Append new ones; never edit or renumber one that has shipped.
import type { Migration } from '../migrate';
import { accountsSettings } from './001-accounts-settings';
import { accountRegistrarKeepAlive } from './002-account-registrar-keep-alive';
import { calls } from './003-calls';
import { contacts } from './004-contacts';
import { messages } from './005-messages';
import { accountPresenceList } from './006-account-presence-list';
import { conversationAddressPassword } from './007-conversation-address-password';
import { addressPasswords } from './008-address-passwords';

export const migrations: readonly Migration[] = [
  accountsSettings,
  accountRegistrarKeepAlive,
  calls,
  contacts,
  messages,
  accountPresenceList,
  conversationAddressPassword,
  addressPasswords,
];
