-- PostgreSQL variant of 0004_tag_case.sql: the same index, and one row per question and tag whatever its case (the
-- primary key (thread_id, tag) is case-sensitive here; on SQLite its NOCASE collation does this). Rows that differ
-- only in case are merged first, keeping the first spelling.
DELETE FROM qa_question_tags a USING qa_question_tags b
WHERE a.thread_id = b.thread_id AND lower(a.tag) = lower(b.tag) AND a.tag > b.tag;
CREATE UNIQUE INDEX qa_question_tags_one_case ON qa_question_tags (thread_id, lower(tag));
CREATE INDEX qa_question_tags_by_lower_tag ON qa_question_tags (guild_id, lower(tag));
DROP INDEX qa_question_tags_by_tag;
