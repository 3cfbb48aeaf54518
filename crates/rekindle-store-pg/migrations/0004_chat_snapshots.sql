-- The classified rows of a chat (no text; sealed like every content column),
-- so the post-mortem of a long history opens without reading and
-- classifying every message again. Derived data: made again whenever its
-- key no longer matches; never exported.
CREATE TABLE chat_snapshots (
    owner_id bigint NOT NULL,
    chat_id  bigint NOT NULL,
    key      text   NOT NULL,
    data     bytea  NOT NULL,
    PRIMARY KEY (owner_id, chat_id),
    FOREIGN KEY (owner_id, chat_id) REFERENCES chats (owner_id, id)
);
ALTER TABLE chat_snapshots ENABLE ROW LEVEL SECURITY;
ALTER TABLE chat_snapshots FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_only ON chat_snapshots
    USING (owner_id = nullif(current_setting('rekindle.owner', true), '')::bigint)
    WITH CHECK (owner_id = nullif(current_setting('rekindle.owner', true), '')::bigint);
