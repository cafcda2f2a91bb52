-- A member's onboarding answers, one row per member and server. The community directory reads role, level,
-- interests (a JSON list of topic keys) and region for its defaults. Times are ISO-8601 UTC.
CREATE TABLE onboarding_profiles (
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
    created_at   TEXT    NOT NULL,           -- the first question was shown
    started_at   TEXT,                       -- the first answer
    finished_at  TEXT,                       -- the first time every question was answered
    updated_at   TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- The welcome of each member's latest join. The state is written before the DM goes out and `sent` only after
-- Discord accepted it, so a restart re-queues exactly the members still waiting.
CREATE TABLE onboarding_welcomes (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    join_seq   INTEGER NOT NULL DEFAULT 1,   -- joins seen for this member; part of the DM's idempotency nonce
    joined_at  TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('welcome', 'welcome_back')),
    state      TEXT    NOT NULL CHECK (state IN
                   ('screening', 'pending', 'sending', 'sent', 'fallback', 'dm_closed', 'left', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    message_id INTEGER,
    last_error TEXT,
    queued_at  TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX onboarding_welcomes_open ON onboarding_welcomes (state, queued_at)
    WHERE state IN ('pending', 'sending', 'fallback');

-- Members whose DMs are closed (Discord error 50007): never DMed again automatically.
CREATE TABLE onboarding_dm_closed (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    recorded_at TEXT    NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- The one reminder to a member who started and did not finish.
CREATE TABLE onboarding_reminders (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    due_at   TEXT    NOT NULL,
    state    TEXT    NOT NULL DEFAULT 'due' CHECK (state IN ('due', 'sending', 'sent', 'cancelled', 'skipped')),
    done_at  TEXT,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX onboarding_reminders_due ON onboarding_reminders (due_at) WHERE state IN ('due', 'sending');

-- What happened when, for /onboarding stats (append-only).
CREATE TABLE onboarding_events (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    event    TEXT    NOT NULL CHECK (event IN
                 ('joined', 'rejoined', 'welcomed', 'started', 'finished', 'dm_closed', 'mentor_matched')),
    at       TEXT    NOT NULL
);
CREATE INDEX onboarding_events_by_guild ON onboarding_events (guild_id, event, at);

-- When the bot last saw each server, so members who joined while it was offline are welcomed at the next start.
CREATE TABLE onboarding_presence (
    guild_id      INTEGER PRIMARY KEY,
    first_seen_at TEXT NOT NULL,  -- members who were there before are never "missed joins"
    seen_at       TEXT NOT NULL
);
