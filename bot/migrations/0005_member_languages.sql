-- The language a member chose for what the bot sends them unasked (a welcome DM, reminders): per user, like their
-- Discord client's language, whichever server a message is about. A member without a row gets the server's language.
CREATE TABLE member_languages (
    user_id    INTEGER PRIMARY KEY,
    language   TEXT    NOT NULL,               -- one of bot.i18n.LANGUAGES ("en", "zh_CN", "fr")
    chosen_at  INTEGER NOT NULL                -- unix seconds
);
