-- Share links for an ally, served by the same host over HTTPS. A share is a
-- copy of a report encrypted (AES-256-GCM) under a key that exists only in
-- the link's fragment, which browsers never send: these rows hold
-- ciphertext the server cannot read, keyed by SHA-256 of the link's id.
CREATE TABLE shares (
    id_hash    text   PRIMARY KEY,
    owner_id   bigint NOT NULL,
    expires_ms bigint NOT NULL,
    sealed     text   NOT NULL
);
CREATE INDEX shares_owner ON shares (owner_id);

-- When a link was opened (times only) and what the ally confirmed (sealed
-- in the ally's browser under the link's key).
CREATE TABLE share_views (
    id_hash  text   NOT NULL REFERENCES shares (id_hash) ON DELETE CASCADE,
    owner_id bigint NOT NULL,
    at_ms    bigint NOT NULL
);
CREATE INDEX share_views_share ON share_views (id_hash);
CREATE TABLE share_confirmations (
    id_hash  text   NOT NULL REFERENCES shares (id_hash) ON DELETE CASCADE,
    owner_id bigint NOT NULL,
    seq      bigint GENERATED ALWAYS AS IDENTITY,
    sealed   text   NOT NULL
);
CREATE INDEX share_confirmations_share ON share_confirmations (id_hash);

-- Row-level security, forced, as on every content table: the owner sees
-- and changes their own rows (rekindle.owner). A visitor holding a link
-- sees exactly one share, the one whose hash the transaction names in
-- rekindle.share, and may only add a view or a confirmation to it.
DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['shares', 'share_views', 'share_confirmations']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY owner_only ON %I
            USING (owner_id = nullif(current_setting(''rekindle.owner'', true), '''')::bigint)
            WITH CHECK (owner_id = nullif(current_setting(''rekindle.owner'', true), '''')::bigint)', t);
        EXECUTE format('CREATE POLICY visitor_reads_one ON %I FOR SELECT
            USING (id_hash = nullif(current_setting(''rekindle.share'', true), ''''))', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['share_views', 'share_confirmations']
    LOOP
        EXECUTE format('CREATE POLICY visitor_adds_to_one ON %I FOR INSERT
            WITH CHECK (id_hash = nullif(current_setting(''rekindle.share'', true), ''''))', t);
    END LOOP;
END
$$;
