-- Instants are unix seconds (INTEGER, UTC), see bot/times.py. SQLite cannot change a column's type in place, so
-- both tables are rebuilt with their ISO-8601 text converted, and the index is created again.

CREATE TABLE community_entries_new (
    guild_id      INTEGER NOT NULL,               -- 0 = shipped with the bot, else the server that added it
    key           TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    data          TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    added_by      INTEGER,                        -- the moderator who added or approved it (server additions)
    suggestion_id INTEGER,                        -- the suggestion it came from, if any
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    retired_at    INTEGER,
    PRIMARY KEY (guild_id, key)
);
INSERT INTO community_entries_new (guild_id, key, name, data, status, added_by, suggestion_id, created_at,
                                   updated_at, retired_at)
SELECT guild_id, key, name, data, status, added_by, suggestion_id, CAST(strftime('%s', created_at) AS INTEGER),
       CAST(strftime('%s', updated_at) AS INTEGER), CAST(strftime('%s', retired_at) AS INTEGER)
FROM community_entries;
DROP TABLE community_entries;
ALTER TABLE community_entries_new RENAME TO community_entries;

CREATE TABLE community_suggestions_new (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    data         TEXT    NOT NULL,
    suggested_by INTEGER NOT NULL,
    suggested_at INTEGER NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by   INTEGER,
    decided_at   INTEGER,
    entry_key    TEXT,                            -- the key it was added under when approved
    channel_id   INTEGER,                         -- where the moderators' log message with the buttons is
    message_id   INTEGER
);
INSERT INTO community_suggestions_new (id, guild_id, name, data, suggested_by, suggested_at, status, decided_by,
                                       decided_at, entry_key, channel_id, message_id)
SELECT id, guild_id, name, data, suggested_by, CAST(strftime('%s', suggested_at) AS INTEGER), status, decided_by,
       CAST(strftime('%s', decided_at) AS INTEGER), entry_key, channel_id, message_id
FROM community_suggestions;
DROP TABLE community_suggestions;
ALTER TABLE community_suggestions_new RENAME TO community_suggestions;
CREATE INDEX community_suggestions_by_member ON community_suggestions (guild_id, suggested_by, status);
