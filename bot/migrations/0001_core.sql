-- Per-guild overrides of settings (JSON values), layered over the settings file.
CREATE TABLE guild_settings (
    guild_id   INTEGER NOT NULL,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    updated_by INTEGER,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, key)
);

-- What was last synced as slash commands per guild (0 = global), so restarts do not re-sync needlessly.
CREATE TABLE command_sync (
    guild_id  INTEGER PRIMARY KEY,
    hash      TEXT NOT NULL,
    synced_at TEXT NOT NULL
);

-- Things reported to a guild's moderators' log only once (for example a missing permission).
CREATE TABLE mod_log_once (
    guild_id    INTEGER NOT NULL,
    key         TEXT    NOT NULL,
    reported_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, key)
);
