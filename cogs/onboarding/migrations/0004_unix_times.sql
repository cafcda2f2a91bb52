-- Instants become unix seconds (INTEGER, UTC; bot/times.py) in every onboarding and mentoring table.
-- SQLite cannot change a column's type in place, so each table is rebuilt with its ISO-8601 text converted, and its
-- indexes and CHECKs created again. The old store wrote every instant as UTC `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`;
-- strftime would round the fraction, so the first 19 characters are read (UTC), which truncates as unix() does.
-- Two columns make up for the fraction of a second the text had: onboarding_welcomes.left_at (a leave in between
-- is what tells a quick rejoin from the same join delivered twice) and onboarding_presence.seen_at_us (the catch-up
-- compares the last mark with Discord's joined_at, which has microseconds: a member added just before the mark was
-- there, one added just after it joined while the bot was away, even within the same second).

CREATE TABLE onboarding_profiles_new (
    guild_id     INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    role         TEXT,
    level        TEXT,
    interests    TEXT    NOT NULL DEFAULT '[]',
    region       TEXT,
    timezone     TEXT,                       -- IANA zone name
    wants_mentor INTEGER,                    -- NULL until asked; 0 or 1
    step         TEXT    NOT NULL DEFAULT 'role',  -- the next question to show
    status       TEXT    NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'started', 'finished')),
    given_roles  TEXT    NOT NULL DEFAULT '[]',    -- Discord role IDs the bot gave for the answers (JSON)
    created_at   INTEGER NOT NULL,           -- the first question was shown
    started_at   INTEGER,                    -- the first answer
    finished_at  INTEGER,                    -- the first time every question was answered
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
INSERT INTO onboarding_profiles_new
SELECT guild_id, user_id, role, level, interests, region, timezone, wants_mentor, step, status, given_roles,
    CAST(strftime('%s', substr(created_at, 1, 19)) AS INTEGER),
    CAST(strftime('%s', substr(started_at, 1, 19)) AS INTEGER),
    CAST(strftime('%s', substr(finished_at, 1, 19)) AS INTEGER),
    CAST(strftime('%s', substr(updated_at, 1, 19)) AS INTEGER)
FROM onboarding_profiles;
DROP TABLE onboarding_profiles;
ALTER TABLE onboarding_profiles_new RENAME TO onboarding_profiles;

CREATE TABLE onboarding_welcomes_new (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    join_seq   INTEGER NOT NULL DEFAULT 1,   -- joins seen for this member; part of the DM's idempotency nonce
    joined_at  INTEGER NOT NULL,
    left_at    INTEGER,                      -- the member left after this join (NULL while they are here)
    kind       TEXT    NOT NULL CHECK (kind IN ('welcome', 'welcome_back')),
    state      TEXT    NOT NULL CHECK (state IN
                   ('screening', 'pending', 'sending', 'sent', 'fallback', 'dm_closed', 'left', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    message_id INTEGER,
    last_error TEXT,
    queued_at  INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
INSERT INTO onboarding_welcomes_new
SELECT guild_id, user_id, join_seq, CAST(strftime('%s', substr(joined_at, 1, 19)) AS INTEGER),
    -- a welcome left before it was sent is the only leave the old table knew of
    CASE state WHEN 'left' THEN CAST(strftime('%s', substr(updated_at, 1, 19)) AS INTEGER) END,
    kind, state, attempts, message_id, last_error,
    CAST(strftime('%s', substr(queued_at, 1, 19)) AS INTEGER),
    CAST(strftime('%s', substr(updated_at, 1, 19)) AS INTEGER)
FROM onboarding_welcomes;
DROP TABLE onboarding_welcomes;
ALTER TABLE onboarding_welcomes_new RENAME TO onboarding_welcomes;
CREATE INDEX onboarding_welcomes_open ON onboarding_welcomes (state, queued_at)
    WHERE state IN ('pending', 'sending', 'fallback');

CREATE TABLE onboarding_reminders_new (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    due_at   INTEGER NOT NULL,
    state    TEXT    NOT NULL DEFAULT 'due' CHECK (state IN ('due', 'sending', 'sent', 'cancelled', 'skipped')),
    done_at  INTEGER,                        -- claimed (while sending) or closed
    PRIMARY KEY (guild_id, user_id)
);
INSERT INTO onboarding_reminders_new
SELECT guild_id, user_id, CAST(strftime('%s', substr(due_at, 1, 19)) AS INTEGER), state,
    CAST(strftime('%s', substr(done_at, 1, 19)) AS INTEGER)
FROM onboarding_reminders;
DROP TABLE onboarding_reminders;
ALTER TABLE onboarding_reminders_new RENAME TO onboarding_reminders;
CREATE INDEX onboarding_reminders_due ON onboarding_reminders (due_at) WHERE state IN ('due', 'sending');

CREATE TABLE onboarding_events_new (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    event    TEXT    NOT NULL CHECK (event IN
                 ('joined', 'rejoined', 'welcomed', 'started', 'finished', 'dm_closed', 'mentor_matched')),
    at       INTEGER NOT NULL
);
INSERT INTO onboarding_events_new (guild_id, user_id, event, at)
SELECT guild_id, user_id, event, CAST(strftime('%s', substr(at, 1, 19)) AS INTEGER) FROM onboarding_events
ORDER BY rowid;
DROP TABLE onboarding_events;
ALTER TABLE onboarding_events_new RENAME TO onboarding_events;
CREATE INDEX onboarding_events_by_guild ON onboarding_events (guild_id, event, at);

CREATE TABLE onboarding_presence_new (
    guild_id      INTEGER PRIMARY KEY,
    first_seen_at INTEGER NOT NULL,  -- members who were there before are never "missed joins"
    seen_at       INTEGER NOT NULL,
    seen_at_us    INTEGER NOT NULL DEFAULT 0  -- microseconds past seen_at (compared with Discord's joined_at)
);
INSERT INTO onboarding_presence_new (guild_id, first_seen_at, seen_at, seen_at_us)
SELECT guild_id, CAST(strftime('%s', substr(first_seen_at, 1, 19)) AS INTEGER),
    CAST(strftime('%s', substr(seen_at, 1, 19)) AS INTEGER), CAST(substr(seen_at, 21, 6) AS INTEGER)
FROM onboarding_presence;
DROP TABLE onboarding_presence;
ALTER TABLE onboarding_presence_new RENAME TO onboarding_presence;

CREATE TABLE mentors_new (
    guild_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    topics          TEXT    NOT NULL,        -- JSON list of topic keys
    capacity        INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 10),
    bio             TEXT,
    status          TEXT    NOT NULL CHECK (status IN ('active', 'paused', 'left')),
    joined_at       INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    last_offered_at INTEGER,
    PRIMARY KEY (guild_id, user_id)
);
INSERT INTO mentors_new
SELECT guild_id, user_id, topics, capacity, bio, status,
    CAST(strftime('%s', substr(joined_at, 1, 19)) AS INTEGER),
    CAST(strftime('%s', substr(updated_at, 1, 19)) AS INTEGER),
    CAST(strftime('%s', substr(last_offered_at, 1, 19)) AS INTEGER)
FROM mentors;
DROP TABLE mentors;
ALTER TABLE mentors_new RENAME TO mentors;

-- mentor_offers references mentor_requests (foreign keys are on): the old requests table is renamed first, which
-- points the old offers at it, so it can be dropped once the offers are rebuilt against the new one.
CREATE TABLE mentor_requests_new (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    mentee_id  INTEGER NOT NULL,
    topics     TEXT    NOT NULL,             -- JSON list of topic keys the mentee wants help with
    role       TEXT,                         -- the mentee's role key, when known
    status     TEXT    NOT NULL CHECK (status IN ('waiting', 'offered', 'matched', 'ended', 'cancelled')),
    mentor_id  INTEGER,
    source     TEXT    NOT NULL CHECK (source IN ('onboarding', 'command')),
    created_at INTEGER NOT NULL,
    matched_at INTEGER,
    ended_at   INTEGER
);
INSERT INTO mentor_requests_new
SELECT id, guild_id, mentee_id, topics, role, status, mentor_id, source,
    CAST(strftime('%s', substr(created_at, 1, 19)) AS INTEGER),
    CAST(strftime('%s', substr(matched_at, 1, 19)) AS INTEGER),
    CAST(strftime('%s', substr(ended_at, 1, 19)) AS INTEGER)
FROM mentor_requests;
DROP INDEX mentor_requests_one_open;
DROP INDEX mentor_requests_by_mentor;
DROP INDEX mentor_requests_waiting;
ALTER TABLE mentor_requests RENAME TO mentor_requests_old;
ALTER TABLE mentor_requests_new RENAME TO mentor_requests;
CREATE UNIQUE INDEX mentor_requests_one_open ON mentor_requests (guild_id, mentee_id)
    WHERE status IN ('waiting', 'offered', 'matched');
CREATE INDEX mentor_requests_by_mentor ON mentor_requests (guild_id, mentor_id) WHERE status = 'matched';
CREATE INDEX mentor_requests_waiting ON mentor_requests (guild_id, created_at) WHERE status = 'waiting';

CREATE TABLE mentor_offers_new (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES mentor_requests (id),
    guild_id    INTEGER NOT NULL,
    mentor_id   INTEGER NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN
                    ('open', 'accepted', 'declined', 'expired', 'withdrawn', 'undeliverable')),
    offered_at  INTEGER NOT NULL,
    due_at      INTEGER NOT NULL,
    answered_at INTEGER,
    message_id  INTEGER                      -- set once Discord accepted the DM to the mentor
);
INSERT INTO mentor_offers_new
SELECT id, request_id, guild_id, mentor_id, status,
    CAST(strftime('%s', substr(offered_at, 1, 19)) AS INTEGER),
    CAST(strftime('%s', substr(due_at, 1, 19)) AS INTEGER),
    CAST(strftime('%s', substr(answered_at, 1, 19)) AS INTEGER),
    message_id
FROM mentor_offers;
DROP TABLE mentor_offers;
ALTER TABLE mentor_offers_new RENAME TO mentor_offers;
CREATE UNIQUE INDEX mentor_offers_one_open ON mentor_offers (request_id) WHERE status = 'open';
CREATE INDEX mentor_offers_due ON mentor_offers (due_at) WHERE status = 'open';
CREATE INDEX mentor_offers_by_mentor ON mentor_offers (guild_id, mentor_id) WHERE status = 'open';

DROP TABLE mentor_requests_old;
