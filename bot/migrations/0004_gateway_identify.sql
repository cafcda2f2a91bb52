-- When the next IDENTIFY of each of Discord's rate-limit buckets (shard_id % max_concurrency) may be sent: the
-- processes running shards of one bot take turns through this table, one IDENTIFY per bucket per 5 s
-- (bot/identify.py). A unix instant with fractions of a second.
CREATE TABLE gateway_identify (
    bucket  INTEGER NOT NULL PRIMARY KEY,
    next_at REAL    NOT NULL
);
