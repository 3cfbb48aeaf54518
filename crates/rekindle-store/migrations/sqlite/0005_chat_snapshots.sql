-- The classified rows of a chat (no text), so the post-mortem of a long
-- history opens without reading and classifying every message again.
-- Derived data: made again whenever its key (messages, models, word lists)
-- no longer matches; never exported. Encrypted with the rest of the vault.
CREATE TABLE chat_snapshots (
    owner_id INTEGER NOT NULL,
    chat_id  INTEGER NOT NULL REFERENCES chats (id),
    key      TEXT    NOT NULL,
    data     BLOB    NOT NULL,
    PRIMARY KEY (owner_id, chat_id)
);
