-- Members whose DMs refused the bot (403, code 50007), shared by every feature that DMs.
-- Per user: the bot has one DM channel with a member, and Discord allows it when any server shared with the bot
-- lets server members DM them, so a refusal says "this member cannot be DMed by the bot", not "...from this server".
-- guild_id is where it was noticed (moderators' information only; nullable when the sender did not know it).
CREATE TABLE dm_closed (
    user_id  INTEGER PRIMARY KEY,
    guild_id INTEGER,
    noted_at TEXT    NOT NULL,                  -- ISO-8601 UTC of the latest refusal
    failures INTEGER NOT NULL DEFAULT 1         -- refusals noted (each one counted toward Discord's invalid-request limit)
);
