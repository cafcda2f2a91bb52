-- PostgreSQL spelling of 0003_unix_times.sql: the ISO-8601 text columns become unix seconds in place.
ALTER TABLE guild_settings ALTER COLUMN updated_at TYPE BIGINT
    USING EXTRACT(EPOCH FROM updated_at::timestamptz)::BIGINT;
ALTER TABLE command_sync ALTER COLUMN synced_at TYPE BIGINT
    USING EXTRACT(EPOCH FROM synced_at::timestamptz)::BIGINT;
ALTER TABLE mod_log_once ALTER COLUMN reported_at TYPE BIGINT
    USING EXTRACT(EPOCH FROM reported_at::timestamptz)::BIGINT;
ALTER TABLE dm_closed ALTER COLUMN noted_at TYPE BIGINT
    USING EXTRACT(EPOCH FROM noted_at::timestamptz)::BIGINT;
-- schema_migrations was created with applied_at BIGINT already (its CREATE runs before any migration)
