-- PostgreSQL spelling of 0004_unix_times.sql: the ISO-8601 text columns become unix seconds in place (truncated, as
-- unix() does), and the two columns that make up for the lost fraction of a second are added.
ALTER TABLE onboarding_profiles
    ALTER COLUMN created_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', created_at::timestamptz))::BIGINT,
    ALTER COLUMN started_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', started_at::timestamptz))::BIGINT,
    ALTER COLUMN finished_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', finished_at::timestamptz))::BIGINT,
    ALTER COLUMN updated_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', updated_at::timestamptz))::BIGINT;
ALTER TABLE onboarding_welcomes
    ALTER COLUMN joined_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', joined_at::timestamptz))::BIGINT,
    ALTER COLUMN queued_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', queued_at::timestamptz))::BIGINT,
    ALTER COLUMN updated_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', updated_at::timestamptz))::BIGINT;
ALTER TABLE onboarding_welcomes ADD COLUMN left_at BIGINT;
-- a welcome left before it was sent is the only leave the old table knew of
UPDATE onboarding_welcomes SET left_at = updated_at WHERE state = 'left';
ALTER TABLE onboarding_reminders
    ALTER COLUMN due_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', due_at::timestamptz))::BIGINT,
    ALTER COLUMN done_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', done_at::timestamptz))::BIGINT;
ALTER TABLE onboarding_events
    ALTER COLUMN at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', at::timestamptz))::BIGINT;
ALTER TABLE onboarding_presence ADD COLUMN seen_at_us BIGINT NOT NULL DEFAULT 0;
UPDATE onboarding_presence SET seen_at_us = EXTRACT(MICROSECONDS FROM seen_at::timestamptz)::BIGINT % 1000000;
ALTER TABLE onboarding_presence
    ALTER COLUMN first_seen_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', first_seen_at::timestamptz))::BIGINT,
    ALTER COLUMN seen_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', seen_at::timestamptz))::BIGINT;
ALTER TABLE mentors
    ALTER COLUMN joined_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', joined_at::timestamptz))::BIGINT,
    ALTER COLUMN updated_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', updated_at::timestamptz))::BIGINT,
    ALTER COLUMN last_offered_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', last_offered_at::timestamptz))::BIGINT;
ALTER TABLE mentor_requests
    ALTER COLUMN created_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', created_at::timestamptz))::BIGINT,
    ALTER COLUMN matched_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', matched_at::timestamptz))::BIGINT,
    ALTER COLUMN ended_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', ended_at::timestamptz))::BIGINT;
ALTER TABLE mentor_offers
    ALTER COLUMN offered_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', offered_at::timestamptz))::BIGINT,
    ALTER COLUMN due_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', due_at::timestamptz))::BIGINT,
    ALTER COLUMN answered_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', answered_at::timestamptz))::BIGINT;
