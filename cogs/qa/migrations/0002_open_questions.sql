-- /qa unanswered lists and counts the open, not archived questions of a guild. Over a million questions the
-- (guild_id, state, created_at) index still visited every open question to check archived_at (1.3 s); this
-- partial index holds only the questions the command shows. Reports name it with INDEXED BY: without
-- statistics the planner prefers the two-column equality of the older index.
CREATE INDEX qa_questions_open ON qa_questions (guild_id, created_at) WHERE state = 'open' AND archived_at IS NULL;
