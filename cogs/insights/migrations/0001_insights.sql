-- Insights keeps only what no other feature stores: members joining and leaving, and message counts (read from
-- message events without Message Content). Everything else is read from the other features' own tables.
-- `day` is the server's local calendar date ('YYYY-MM-DD' in its time zone when the event was counted): a date, not
-- an instant, so it is kept as text that sorts and compares the same on both engines.

-- Joins and leaves per server and local day.
CREATE TABLE insights_member_days (
    guild_id INTEGER NOT NULL,
    day      TEXT    NOT NULL,
    joins    INTEGER NOT NULL DEFAULT 0,
    leaves   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, day)
);

-- Messages per channel (a thread counts for its parent channel or forum) per local day; counts only.
CREATE TABLE insights_message_days (
    guild_id   INTEGER NOT NULL,
    day        TEXT    NOT NULL,
    channel_id INTEGER NOT NULL,
    messages   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, day, channel_id)
);

-- Who posted on which local day: needed for distinct "active members per week". Kept 35 days (then pruned); each
-- finished week's distinct count is kept in insights_active_weeks before its marks go.
CREATE TABLE insights_active_marks (
    guild_id INTEGER NOT NULL,
    day      TEXT    NOT NULL,
    user_id  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, day, user_id)
);
CREATE INDEX insights_active_marks_by_day ON insights_active_marks (day);
CREATE INDEX insights_active_marks_by_user ON insights_active_marks (guild_id, user_id);

-- Distinct members who posted in a finished week (Monday to Sunday, local).
CREATE TABLE insights_active_weeks (
    guild_id   INTEGER NOT NULL,
    week_start TEXT    NOT NULL,
    members    INTEGER NOT NULL,
    PRIMARY KEY (guild_id, week_start)
);

-- Newcomers seen joining, for activation and retention (finished onboarding, still here after 7 and 30 days,
-- posted in their first week). One row per member and server (the latest join); kept 400 days.
CREATE TABLE insights_newcomers (
    guild_id         INTEGER NOT NULL,
    user_id          INTEGER NOT NULL,
    joined_at        INTEGER NOT NULL,
    left_at          INTEGER,
    first_message_at INTEGER,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX insights_newcomers_by_join ON insights_newcomers (guild_id, joined_at);

-- The weekly digest of each server: the next one is due at due_at (unix seconds); `week` names the week it covers,
-- so a restart during the send neither loses nor repeats it (sending_since: claimed, not confirmed yet).
CREATE TABLE insights_digests (
    guild_id      INTEGER PRIMARY KEY,
    due_at        INTEGER NOT NULL,
    week          TEXT    NOT NULL,
    schedule      TEXT    NOT NULL,           -- the insights.digest value due_at was computed from
    sending_since INTEGER,
    last_sent_at  INTEGER,
    last_week     TEXT
);
CREATE INDEX insights_digests_due ON insights_digests (due_at);
