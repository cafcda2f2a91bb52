-- Members who left a server, and when their data is due to be forgotten (privacy.forget_left_after_days at the time
-- they left). A row goes when they come back, or once everything about them was forgotten (this row included).
CREATE TABLE privacy_departures (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    left_at  INTEGER NOT NULL,
    due_at   INTEGER NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);
CREATE INDEX privacy_departures_due ON privacy_departures (due_at);
