-- PostgreSQL spelling of 0002_shared_dm_closed.sql (GREATEST for SQLite's scalar MAX).
INSERT INTO dm_closed (user_id, guild_id, noted_at, failures)
SELECT user_id, NULL, noted_at, failures FROM events_dm_closed
ON CONFLICT (user_id) DO UPDATE SET
    failures = dm_closed.failures + excluded.failures,
    guild_id = CASE WHEN excluded.noted_at > dm_closed.noted_at THEN excluded.guild_id ELSE dm_closed.guild_id END,
    noted_at = GREATEST(dm_closed.noted_at, excluded.noted_at);

DROP TABLE events_dm_closed;
