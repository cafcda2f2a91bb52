-- When the full-text index was last merged into one segment (cogs/qa/due.py, `qa:search-index`), so a restart does
-- not merge it again within the day: a merge rewrites the whole index (4 s of the writer over a million questions).
-- One row. Only SQLite's index is merged by the bot; PostgreSQL keeps its own in shape and never writes here.
CREATE TABLE qa_search_upkeep (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    merged_at INTEGER NOT NULL  -- unix seconds
);
