-- Closed DMs move to the core table `dm_closed` (bot/migrations/0002, applied before any feature's migrations),
-- shared with events. One row per member: the bot has one DM channel with them, whichever server it is about; a
-- member recorded in several servers keeps the latest one. onboarding_events keeps its 'dm_closed' rows (the stats).
INSERT INTO dm_closed (user_id, guild_id, noted_at, failures)
-- unix seconds, as core/0003 made dm_closed.noted_at (core migrations run first)
SELECT user_id, guild_id, CAST(strftime('%s', recorded_at) AS INTEGER), 1 FROM onboarding_dm_closed WHERE true
ON CONFLICT (user_id) DO UPDATE SET
    failures = dm_closed.failures + excluded.failures,
    guild_id = CASE WHEN excluded.noted_at > dm_closed.noted_at THEN excluded.guild_id ELSE dm_closed.guild_id END,
    noted_at = MAX(dm_closed.noted_at, excluded.noted_at);

DROP TABLE onboarding_dm_closed;
