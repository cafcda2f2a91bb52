-- Closed DMs move to the core table `dm_closed` (bot/migrations/0002, applied before any feature's migrations),
-- shared with onboarding: a member whose reminder DM was refused is not DMed by other features either.
INSERT INTO dm_closed (user_id, guild_id, noted_at, failures)
SELECT user_id, NULL, noted_at, failures  -- unix seconds, as core/0003 made dm_closed.noted_at (core runs first)
FROM events_dm_closed WHERE true
ON CONFLICT (user_id) DO UPDATE SET
    failures = dm_closed.failures + excluded.failures,
    guild_id = CASE WHEN excluded.noted_at > dm_closed.noted_at THEN excluded.guild_id ELSE dm_closed.guild_id END,
    noted_at = MAX(dm_closed.noted_at, excluded.noted_at);

DROP TABLE events_dm_closed;
