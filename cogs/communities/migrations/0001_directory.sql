-- The directory: entries shipped in data/communities.yaml (guild_id 0) and each server's own additions.
-- `data` is the validated entry as JSON; name is copied out for lookups and the moderators' log.
CREATE TABLE community_entries (
    guild_id      INTEGER NOT NULL,               -- 0 = shipped with the bot, else the server that added it
    key           TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    data          TEXT    NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
    added_by      INTEGER,                        -- the moderator who added or approved it (server additions)
    suggestion_id INTEGER,                        -- the suggestion it came from, if any
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    retired_at    TEXT,
    PRIMARY KEY (guild_id, key)
);

-- Members' suggestions, decided by a moderator with the persistent buttons in the moderators' log.
CREATE TABLE community_suggestions (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    name         TEXT    NOT NULL,
    data         TEXT    NOT NULL,
    suggested_by INTEGER NOT NULL,
    suggested_at TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by   INTEGER,
    decided_at   TEXT,
    entry_key    TEXT,                            -- the key it was added under when approved
    channel_id   INTEGER,                         -- where the moderators' log message with the buttons is
    message_id   INTEGER
);
CREATE INDEX community_suggestions_by_member ON community_suggestions (guild_id, suggested_by, status);

-- A counter per directory (guild 0 = the shipped one) bumped by every write to it, so each process-local cache
-- knows when to re-read, and a server's addition does not make every server re-read the shipped entries.
CREATE TABLE community_directory_version (
    guild_id INTEGER PRIMARY KEY,
    version  INTEGER NOT NULL
);
