-- Mentors per server: the topics they help with, how many mentees they take, and whether they take new ones.
CREATE TABLE mentors (
    guild_id        INTEGER NOT NULL,
    user_id         INTEGER NOT NULL,
    topics          TEXT    NOT NULL,        -- JSON list of topic keys
    capacity        INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 10),
    bio             TEXT,
    status          TEXT    NOT NULL CHECK (status IN ('active', 'paused', 'left')),
    joined_at       TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    last_offered_at TEXT,
    PRIMARY KEY (guild_id, user_id)
);

-- A member asking for a mentor; `matched` is an active mentorship with mentor_id.
CREATE TABLE mentor_requests (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    mentee_id  INTEGER NOT NULL,
    topics     TEXT    NOT NULL,             -- JSON list of topic keys the mentee wants help with
    role       TEXT,                         -- the mentee's role key, when known
    status     TEXT    NOT NULL CHECK (status IN ('waiting', 'offered', 'matched', 'ended', 'cancelled')),
    mentor_id  INTEGER,
    source     TEXT    NOT NULL CHECK (source IN ('onboarding', 'command')),
    created_at TEXT    NOT NULL,
    matched_at TEXT,
    ended_at   TEXT
);
CREATE UNIQUE INDEX mentor_requests_one_open ON mentor_requests (guild_id, mentee_id)
    WHERE status IN ('waiting', 'offered', 'matched');
CREATE INDEX mentor_requests_by_mentor ON mentor_requests (guild_id, mentor_id) WHERE status = 'matched';
CREATE INDEX mentor_requests_waiting ON mentor_requests (guild_id, created_at) WHERE status = 'waiting';

-- Each time a request is put to a mentor. An open offer holds one of the mentor's places until answered.
CREATE TABLE mentor_offers (
    id          INTEGER PRIMARY KEY,
    request_id  INTEGER NOT NULL REFERENCES mentor_requests (id),
    guild_id    INTEGER NOT NULL,
    mentor_id   INTEGER NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN
                    ('open', 'accepted', 'declined', 'expired', 'withdrawn', 'undeliverable')),
    offered_at  TEXT    NOT NULL,
    due_at      TEXT    NOT NULL,
    answered_at TEXT,
    message_id  INTEGER                      -- set once Discord accepted the DM to the mentor
);
CREATE UNIQUE INDEX mentor_offers_one_open ON mentor_offers (request_id) WHERE status = 'open';
CREATE INDEX mentor_offers_due ON mentor_offers (due_at) WHERE status = 'open';
CREATE INDEX mentor_offers_by_mentor ON mentor_offers (guild_id, mentor_id) WHERE status = 'open';
