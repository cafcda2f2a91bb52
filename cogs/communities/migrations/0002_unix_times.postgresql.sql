-- PostgreSQL spelling of 0002_unix_times.sql: the ISO-8601 text columns become unix seconds in place.
ALTER TABLE community_entries
    ALTER COLUMN created_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', created_at::timestamptz))::BIGINT,
    ALTER COLUMN updated_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', updated_at::timestamptz))::BIGINT,
    ALTER COLUMN retired_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', retired_at::timestamptz))::BIGINT;
ALTER TABLE community_suggestions
    ALTER COLUMN suggested_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', suggested_at::timestamptz))::BIGINT,
    ALTER COLUMN decided_at TYPE BIGINT USING EXTRACT(EPOCH FROM date_trunc('second', decided_at::timestamptz))::BIGINT;
