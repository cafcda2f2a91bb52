-- One time representation everywhere: instants are unix seconds (INTEGER, UTC), see bot/times.py.
-- SQLite cannot change a column's type in place, so each table is rebuilt with its ISO-8601 text converted.

CREATE TABLE guild_settings_new (
    guild_id   INTEGER NOT NULL,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    updated_by INTEGER,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, key)
);
INSERT INTO guild_settings_new (guild_id, key, value, updated_by, updated_at)
SELECT guild_id, key, value, updated_by, CAST(strftime('%s', updated_at) AS INTEGER) FROM guild_settings;
DROP TABLE guild_settings;
ALTER TABLE guild_settings_new RENAME TO guild_settings;

CREATE TABLE command_sync_new (
    guild_id  INTEGER PRIMARY KEY,
    hash      TEXT    NOT NULL,
    synced_at INTEGER NOT NULL
);
INSERT INTO command_sync_new (guild_id, hash, synced_at)
SELECT guild_id, hash, CAST(strftime('%s', synced_at) AS INTEGER) FROM command_sync;
DROP TABLE command_sync;
ALTER TABLE command_sync_new RENAME TO command_sync;

CREATE TABLE mod_log_once_new (
    guild_id    INTEGER NOT NULL,
    key         TEXT    NOT NULL,
    reported_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, key)
);
INSERT INTO mod_log_once_new (guild_id, key, reported_at)
SELECT guild_id, key, CAST(strftime('%s', reported_at) AS INTEGER) FROM mod_log_once;
DROP TABLE mod_log_once;
ALTER TABLE mod_log_once_new RENAME TO mod_log_once;

CREATE TABLE dm_closed_new (
    user_id  INTEGER PRIMARY KEY,
    guild_id INTEGER,
    noted_at INTEGER NOT NULL,                  -- the latest refusal
    failures INTEGER NOT NULL DEFAULT 1
);
INSERT INTO dm_closed_new (user_id, guild_id, noted_at, failures)
SELECT user_id, guild_id, CAST(strftime('%s', noted_at) AS INTEGER), failures FROM dm_closed;
DROP TABLE dm_closed;
ALTER TABLE dm_closed_new RENAME TO dm_closed;

CREATE TABLE schema_migrations_new (
    namespace  TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (namespace, version)
);
INSERT INTO schema_migrations_new (namespace, version, name, applied_at)
-- rows this same run wrote (core 0001-0002 of a new database) already hold unix seconds
SELECT namespace, version, name, COALESCE(CAST(strftime('%s', applied_at) AS INTEGER), CAST(applied_at AS INTEGER))
FROM schema_migrations;
DROP TABLE schema_migrations;
ALTER TABLE schema_migrations_new RENAME TO schema_migrations;
