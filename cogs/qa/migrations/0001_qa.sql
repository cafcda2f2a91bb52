-- One row per tracked question: a forum post (or a thread in a text channel) in the questions channel.
-- Instants are unix seconds (UTC). The timing rules (nudge, surfacing, archive) are derived from these
-- columns; next_due_at caches the earliest pending one for the scheduler's indexed "next due" query.
CREATE TABLE qa_questions (
    thread_id         INTEGER PRIMARY KEY,          -- the thread (= forum post) ID; also the search rowid
    guild_id          INTEGER NOT NULL,
    channel_id        INTEGER NOT NULL,             -- the forum or text channel holding the thread
    asker_id          INTEGER NOT NULL,
    title             TEXT    NOT NULL,             -- without the bot's "[Solved] " prefix
    body              TEXT    NOT NULL DEFAULT '',  -- the question text when known (/ask, or Message Content)
    tags              TEXT    NOT NULL DEFAULT '',  -- tag names, one per line (searchable; see qa_question_tags)
    source            TEXT    NOT NULL CHECK (source IN ('ask', 'direct')),
    state             TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'solved')),
    created_at        INTEGER NOT NULL,
    last_activity_at  INTEGER NOT NULL,             -- last message by a member (bots excluded)
    last_message_id   INTEGER NOT NULL DEFAULT 0,   -- newest member message counted (no double counting)
    bot_activity_at   INTEGER,                      -- last notice/nudge the bot posted there
    first_reply_at    INTEGER,                      -- first message by someone other than the asker
    reply_count       INTEGER NOT NULL DEFAULT 0,   -- messages by others than the asker
    solved_at         INTEGER,                      -- first accepted answer since the last reopen
    answer_message_id INTEGER,
    answer_author_id  INTEGER,
    answer_text       TEXT    NOT NULL DEFAULT '',
    answer_marked_by  INTEGER,
    answer_marked_at  INTEGER,                      -- when the current answer was marked (leaderboard period)
    notice_message_id INTEGER,                      -- the bot's "accepted answer" reply, replaced on a move
    nudged_at         INTEGER,                      -- asker asked to mark an answer (once)
    surfaced_at       INTEGER,                      -- shown to helpers for want of any reply (once)
    archived_at       INTEGER,                      -- set while archived; cleared when the thread wakes up
    pending_action    TEXT,                         -- claimed and being sent to Discord, not confirmed yet
    pending_since     INTEGER,
    attempts          INTEGER NOT NULL DEFAULT 0,   -- failed tries of the current action
    retry_at          INTEGER,                      -- no new try before this
    next_due_at       INTEGER                       -- earliest pending timing rule; NULL when none
);

CREATE INDEX qa_questions_due ON qa_questions (next_due_at) WHERE next_due_at IS NOT NULL;
-- Questions not archived: the few a settings change or a restart has to look at again.
CREATE INDEX qa_questions_active ON qa_questions (guild_id) WHERE archived_at IS NULL;
CREATE INDEX qa_questions_guild_state ON qa_questions (guild_id, state, created_at);
CREATE INDEX qa_questions_credit ON qa_questions (guild_id, answer_marked_at, answer_author_id)
    WHERE answer_author_id IS NOT NULL;

-- Applied tags by name, for /qa unanswered <tag> and per-tag statistics.
CREATE TABLE qa_question_tags (
    thread_id INTEGER NOT NULL REFERENCES qa_questions (thread_id) ON DELETE CASCADE,
    guild_id  INTEGER NOT NULL,
    tag       TEXT    NOT NULL COLLATE NOCASE,
    PRIMARY KEY (thread_id, tag)
);
CREATE INDEX qa_question_tags_by_tag ON qa_question_tags (guild_id, tag);

-- Every mark, move and reopen, for moderators' questions about who marked what.
CREATE TABLE qa_marks (
    id         INTEGER PRIMARY KEY,
    thread_id  INTEGER NOT NULL,
    guild_id   INTEGER NOT NULL,
    action     TEXT    NOT NULL CHECK (action IN ('mark', 'move', 'reopen')),
    message_id INTEGER,
    author_id  INTEGER,
    by_id      INTEGER NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX qa_marks_thread ON qa_marks (thread_id);

-- A question typed into /ask but not posted yet (similar questions were shown, or posting failed),
-- so the asker's text is never lost. Removed when posted or dropped; stale ones are swept after a day.
CREATE TABLE qa_drafts (
    draft_id      INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL,
    user_id       INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    body          TEXT    NOT NULL,
    tags          TEXT    NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL,
    posting_since INTEGER                       -- a click is posting it now (a double click posts once)
);
CREATE INDEX qa_drafts_created ON qa_drafts (created_at);

-- Full-text search over questions and accepted answers: an external-content FTS5 table kept in step by
-- triggers. Only changes to the indexed text re-index a row (activity updates do not).
CREATE VIRTUAL TABLE qa_search USING fts5 (
    title, body, answer_text, tags,
    content = 'qa_questions', content_rowid = 'thread_id',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
-- Best first: a hit in the title counts most, then the accepted answer, the tags, the body.
INSERT INTO qa_search (qa_search, rank) VALUES ('rank', 'bm25(8.0, 1.0, 3.0, 2.0)');

CREATE TRIGGER qa_questions_search_insert AFTER INSERT ON qa_questions BEGIN
    INSERT INTO qa_search (rowid, title, body, answer_text, tags)
    VALUES (new.thread_id, new.title, new.body, new.answer_text, new.tags);
END;

CREATE TRIGGER qa_questions_search_delete AFTER DELETE ON qa_questions BEGIN
    INSERT INTO qa_search (qa_search, rowid, title, body, answer_text, tags)
    VALUES ('delete', old.thread_id, old.title, old.body, old.answer_text, old.tags);
END;

CREATE TRIGGER qa_questions_search_update AFTER UPDATE OF title, body, answer_text, tags ON qa_questions BEGIN
    INSERT INTO qa_search (qa_search, rowid, title, body, answer_text, tags)
    VALUES ('delete', old.thread_id, old.title, old.body, old.answer_text, old.tags);
    INSERT INTO qa_search (rowid, title, body, answer_text, tags)
    VALUES (new.thread_id, new.title, new.body, new.answer_text, new.tags);
END;
