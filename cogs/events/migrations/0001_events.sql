-- Events: one row per event or series. Times are unix seconds (UTC); the IANA zone and the wall-clock
-- time are kept so a series stays at 18:00 local across daylight-saving changes.
CREATE TABLE events (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    creator_id       INTEGER NOT NULL,
    title            TEXT    NOT NULL,
    description      TEXT    NOT NULL DEFAULT '',
    location         TEXT    NOT NULL DEFAULT '',
    tz               TEXT    NOT NULL,
    local_time       TEXT    NOT NULL,               -- 'HH:MM' the series keeps
    duration_s       INTEGER NOT NULL,
    recurrence       TEXT    NOT NULL DEFAULT 'none', -- none, weekly, biweekly, monthly
    monthly_nth      INTEGER NOT NULL DEFAULT 1,      -- 1-4 or -1 (last), for monthly series
    reminder_offsets TEXT    NOT NULL DEFAULT '',     -- seconds before the start, comma-separated
    ping_role_id     INTEGER,
    channel_id       INTEGER,                         -- where it is announced (set on confirm)
    state            TEXT    NOT NULL,                -- draft, active, cancelled, ended
    revision         INTEGER NOT NULL DEFAULT 0,      -- bumped on each edit (iCalendar SEQUENCE)
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX events_by_guild ON events (guild_id, state);

-- Each dated instance of an event (one for a one-off, one per week/month for a series as it advances).
CREATE TABLE event_occurrences (
    id                 INTEGER PRIMARY KEY,
    event_id           INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    seq                INTEGER NOT NULL,
    starts_at          INTEGER NOT NULL,
    ends_at            INTEGER NOT NULL,
    state              TEXT    NOT NULL,              -- upcoming, cancelled, ended
    message_id         INTEGER,                       -- the announcement, once Discord accepted it
    scheduled_event_id INTEGER,                       -- Discord's own scheduled event, when made
    note               TEXT    NOT NULL DEFAULT '',   -- e.g. a daylight-saving shift
    UNIQUE (event_id, seq)
);
CREATE INDEX event_occurrences_by_end ON event_occurrences (state, ends_at);
CREATE INDEX event_occurrences_by_start ON event_occurrences (state, starts_at);
CREATE INDEX event_occurrences_unannounced ON event_occurrences (state) WHERE message_id IS NULL;

CREATE TABLE event_rsvps (
    occurrence_id INTEGER NOT NULL REFERENCES event_occurrences (id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL,
    status        TEXT    NOT NULL,                   -- going, maybe, declined
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (occurrence_id, user_id)
);
CREATE INDEX event_rsvps_by_status ON event_rsvps (occurrence_id, status);

-- Things to tell people at a time: reminders at each offset, and notices (cancelled, moved) sent at once.
-- The dispatcher loads only the next hours of (state, due_at) into the scheduler.
CREATE TABLE event_reminders (
    id            INTEGER PRIMARY KEY,
    occurrence_id INTEGER NOT NULL REFERENCES event_occurrences (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL,                   -- reminder, cancelled, moved
    offset_s      INTEGER NOT NULL DEFAULT 0,
    due_at        INTEGER NOT NULL,
    state         TEXT    NOT NULL,                   -- pending, sending, sent, missed, cancelled
    claimed_at    INTEGER,
    finished_at   INTEGER,
    detail        TEXT    NOT NULL DEFAULT '',        -- text for notices (the reason, the old time)
    UNIQUE (occurrence_id, kind, offset_s, due_at)
);
CREATE INDEX event_reminders_due ON event_reminders (state, due_at);

-- One row per message a reminder sends (the channel post, each member's DM), so a crash part-way
-- resends only what Discord had not accepted. user_id 0 is the channel post.
CREATE TABLE event_deliveries (
    id          INTEGER PRIMARY KEY,
    reminder_id INTEGER NOT NULL REFERENCES event_reminders (id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    state       TEXT    NOT NULL,                     -- pending, sent, dm_closed, failed, missed
    attempts    INTEGER NOT NULL DEFAULT 0,
    message_id  INTEGER,
    sent_at     INTEGER,
    error       TEXT    NOT NULL DEFAULT '',
    UNIQUE (reminder_id, user_id)
);
CREATE INDEX event_deliveries_by_state ON event_deliveries (reminder_id, state);

-- Members who turned reminder DMs off (/event reminders off), per server.
CREATE TABLE event_member_prefs (
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    dm_reminders INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- Members whose DMs refused the bot (403 / code 50007): not tried again until they say DMs are open.
-- Kept by the events feature under its own name; onboarding keeps its own memory.
CREATE TABLE events_dm_closed (
    user_id   INTEGER PRIMARY KEY,
    noted_at  INTEGER NOT NULL,
    failures  INTEGER NOT NULL DEFAULT 1
);
