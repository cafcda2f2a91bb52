-- "Python" and "python" are one tag. SQLite's COLLATE NOCASE on qa_question_tags.tag made them one; PostgreSQL has
-- no such collation, so the stores compare lower(tag) on both engines, and this index serves those lookups (a
-- guild's questions with a tag, the tag names of a guild for autocomplete).
CREATE INDEX qa_question_tags_by_lower_tag ON qa_question_tags (guild_id, lower(tag));
DROP INDEX qa_question_tags_by_tag;
