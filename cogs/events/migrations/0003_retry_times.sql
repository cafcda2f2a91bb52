-- When a pass could not finish something, the time to try again is stored, so the reminder work's next due
-- instant comes from the database (not from jobs held in memory) and a restart keeps it.

-- A claimed reminder with messages to retry (5xx, network), or a due one in a server the bot cannot see right
-- now: the next pass for it is not before this (unix seconds). NULL: due at due_at.
ALTER TABLE event_reminders ADD COLUMN retry_at INTEGER;
-- The 'next due' query finds the earliest retry of each state without reading the reminders that have none.
CREATE INDEX event_reminders_retry ON event_reminders (state, retry_at);

-- An announcement that could not be posted (missing channel or permission, server unavailable) is tried again
-- at this time (unix seconds); NULL: as soon as it is owed.
ALTER TABLE event_occurrences ADD COLUMN announce_after INTEGER;
