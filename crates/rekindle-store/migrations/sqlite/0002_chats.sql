-- Imported chat histories. One row per conversation source (format and
-- participants); messages keep the time exactly as the export showed it.
CREATE TABLE chats (
    id            INTEGER PRIMARY KEY,
    owner_id      INTEGER NOT NULL,
    source_key    TEXT    NOT NULL,
    format        TEXT    NOT NULL,
    title         TEXT,
    me            TEXT,
    ex            TEXT,
    created_at_ms INTEGER NOT NULL,
    UNIQUE (owner_id, source_key)
);

-- local_ms: the wall-clock time shown in the export, as milliseconds since
-- 1970-01-01T00:00 of that same wall clock (no time zone applied).
-- content_key: the first 16 bytes of the message's content hash (which
-- covers the time); importing the same export twice adds nothing.
CREATE TABLE chat_messages (
    id             INTEGER PRIMARY KEY,
    owner_id       INTEGER NOT NULL,
    chat_id        INTEGER NOT NULL REFERENCES chats (id),
    local_ms       INTEGER NOT NULL,
    offset_seconds INTEGER,
    sender         TEXT,
    kind           TEXT    NOT NULL,
    text           TEXT    NOT NULL,
    content_key    BLOB    NOT NULL
);
-- One index both orders messages in time and enforces idempotence. Leading
-- with the time makes a chronological import append at the index's edge
-- instead of scattering random keys (about 4x faster for a million rows).
CREATE UNIQUE INDEX chat_messages_key ON chat_messages (owner_id, chat_id, local_ms, content_key);

-- Each import, with what it found (counts only, no message text).
CREATE TABLE chat_imports (
    id             INTEGER PRIMARY KEY,
    owner_id       INTEGER NOT NULL,
    chat_id        INTEGER NOT NULL REFERENCES chats (id),
    imported_at_ms INTEGER NOT NULL,
    added          INTEGER NOT NULL,
    already_had    INTEGER NOT NULL,
    skipped_lines  INTEGER NOT NULL,
    summary        TEXT    NOT NULL
);
