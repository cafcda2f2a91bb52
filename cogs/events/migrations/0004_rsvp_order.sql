-- A member's answers are applied in the order they clicked, whatever order the bot handles them in: each RSVP keeps
-- the ID of the click (a Discord snowflake, so it grows with time) and only a later click replaces it.
ALTER TABLE event_rsvps ADD COLUMN clicked_id INTEGER NOT NULL DEFAULT 0;
