-- The silo table Kamailio 5.6's msilo module reads and writes (table version 8; `version` is how Kamailio checks
-- it at start-up), for -A WITH_MSILO in registrar.cfg. test/interop/support/kamailio.ts creates one database file
-- from this per run. Bodies are stored as BLOBs (CAST(body AS TEXT) to read them in sqlite3).
PRAGMA journal_mode=WAL;
CREATE TABLE version (
  id INTEGER PRIMARY KEY NOT NULL,
  table_name VARCHAR(32) NOT NULL UNIQUE,
  table_version INTEGER DEFAULT 0 NOT NULL
);
INSERT INTO version (table_name, table_version) VALUES ('version', 1), ('silo', 8);
CREATE TABLE silo (
  id INTEGER PRIMARY KEY NOT NULL,
  src_addr VARCHAR(255) DEFAULT '' NOT NULL,
  dst_addr VARCHAR(255) DEFAULT '' NOT NULL,
  username VARCHAR(64) DEFAULT '' NOT NULL,
  domain VARCHAR(64) DEFAULT '' NOT NULL,
  inc_time INTEGER DEFAULT 0 NOT NULL,
  exp_time INTEGER DEFAULT 0 NOT NULL,
  snd_time INTEGER DEFAULT 0 NOT NULL,
  ctype VARCHAR(32) DEFAULT 'text/plain' NOT NULL,
  body BLOB,
  extra_hdrs TEXT,
  callid VARCHAR(128) DEFAULT '' NOT NULL,
  status INTEGER DEFAULT 0 NOT NULL
);
CREATE INDEX silo_account_idx ON silo (username, domain);
