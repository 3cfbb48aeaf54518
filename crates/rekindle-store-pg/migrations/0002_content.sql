-- The person's data, mirroring the SQLite vault (migrations/sqlite in
-- rekindle-store). Every key is (owner_id, id): ids are allocated per owner
-- (owner_counters, or chats.next_message_id for messages), never from one
-- sequence shared by all accounts.
--
-- Sealed (bytea: 24-byte nonce || XChaCha20-Poly1305 ciphertext, AAD binding
-- account, table, row and column): every column holding what the person
-- wrote or imported. Keyed hashes (HMAC-SHA256 under a per-account subkey):
-- the columns that must stay comparable. Plain: ids, times (ms), counts,
-- offsets, item kinds.

-- Per-owner id allocation: one row per (owner, sequence name).
CREATE TABLE owner_counters (
    owner_id bigint NOT NULL,
    name     text   NOT NULL,
    last_id  bigint NOT NULL,
    PRIMARY KEY (owner_id, name)
);

CREATE TABLE relationship_versions (
    owner_id    bigint NOT NULL,
    id          bigint NOT NULL,
    saved_at_ms bigint NOT NULL,
    data        bytea  NOT NULL,
    PRIMARY KEY (owner_id, id)
);

CREATE TABLE settings (
    owner_id bigint PRIMARY KEY,
    data     bytea  NOT NULL
);

CREATE TABLE items (
    owner_id      bigint NOT NULL,
    id            bigint NOT NULL,
    kind          text   NOT NULL,
    created_at_ms bigint NOT NULL,
    PRIMARY KEY (owner_id, id)
);
CREATE INDEX items_kind ON items (owner_id, kind, id);

CREATE TABLE item_versions (
    owner_id    bigint NOT NULL,
    id          bigint NOT NULL,
    item_id     bigint NOT NULL,
    saved_at_ms bigint NOT NULL,
    data        bytea  NOT NULL,
    PRIMARY KEY (owner_id, id),
    FOREIGN KEY (owner_id, item_id) REFERENCES items (owner_id, id)
);
CREATE INDEX item_versions_item ON item_versions (owner_id, item_id, id);

-- source_mac: keyed hash of the source key (the conversation's identity).
CREATE TABLE chats (
    owner_id        bigint NOT NULL,
    id              bigint NOT NULL,
    source_mac      bytea  NOT NULL,
    source_key      bytea  NOT NULL,
    format          bytea  NOT NULL,
    title           bytea,
    me              bytea,
    ex              bytea,
    created_at_ms   bigint NOT NULL,
    last_message_id bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (owner_id, id),
    UNIQUE (owner_id, source_mac)
);

-- One row per message. local_ms and offset_seconds are plain (times);
-- content_mac is the keyed hash of the 16-byte content key (idempotence);
-- body seals sender, kind, text and the content key together.
CREATE TABLE chat_messages (
    owner_id       bigint  NOT NULL,
    chat_id        bigint  NOT NULL,
    id             bigint  NOT NULL,
    local_ms       bigint  NOT NULL,
    offset_seconds integer,
    content_mac    bytea   NOT NULL,
    body           bytea   NOT NULL,
    PRIMARY KEY (owner_id, chat_id, local_ms, id),
    UNIQUE (owner_id, chat_id, local_ms, content_mac)
);

CREATE TABLE chat_imports (
    owner_id       bigint NOT NULL,
    id             bigint NOT NULL,
    chat_id        bigint NOT NULL,
    imported_at_ms bigint NOT NULL,
    added          bigint NOT NULL,
    already_had    bigint NOT NULL,
    skipped_lines  bigint NOT NULL,
    summary        bytea  NOT NULL,
    PRIMARY KEY (owner_id, id),
    FOREIGN KEY (owner_id, chat_id) REFERENCES chats (owner_id, id)
);
CREATE INDEX chat_imports_chat ON chat_imports (owner_id, chat_id, id);

-- sender_mac: keyed hash of the sender (or of "no sender"); sender sealed.
CREATE TABLE chat_senders (
    owner_id   bigint NOT NULL,
    chat_id    bigint NOT NULL,
    sender_mac bytea  NOT NULL,
    sender     bytea,
    messages   bigint NOT NULL,
    PRIMARY KEY (owner_id, chat_id, sender_mac),
    FOREIGN KEY (owner_id, chat_id) REFERENCES chats (owner_id, id)
);

-- Versions are append-only: never changed; removed only when the whole
-- account is erased (the transaction sets rekindle.erase = 'on').
CREATE FUNCTION rekindle_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('rekindle.erase', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'versions are append-only' USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER item_versions_append_only BEFORE UPDATE OR DELETE ON item_versions
    FOR EACH ROW EXECUTE FUNCTION rekindle_append_only();
CREATE TRIGGER relationship_versions_append_only BEFORE UPDATE OR DELETE ON relationship_versions
    FOR EACH ROW EXECUTE FUNCTION rekindle_append_only();

-- Row-level security, forced so that even the tables' owner is subject to
-- it: a row is visible only while the transaction-local setting
-- rekindle.owner names its owner. Unset (NULL) or reset ('') means no rows.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['owner_counters', 'relationship_versions', 'settings', 'items',
        'item_versions', 'chats', 'chat_messages', 'chat_imports', 'chat_senders']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY owner_only ON %I
            USING (owner_id = nullif(current_setting(''rekindle.owner'', true), '''')::bigint)
            WITH CHECK (owner_id = nullif(current_setting(''rekindle.owner'', true), '''')::bigint)', t);
    END LOOP;
END
$$;
