-- Several bot processes may share one PostgreSQL database and each runs the reminder pass: a claimed reminder
-- ('sending') records which process claimed it (`claimed_by`, a random id per process start) beside when
-- (`claimed_at`, renewed while it sends). Only that process resumes it, until the claim is older than the lease;
-- then any process takes it over (its deliveries say what already went out). NULL: claimed before this column.
ALTER TABLE event_reminders ADD COLUMN claimed_by TEXT;
