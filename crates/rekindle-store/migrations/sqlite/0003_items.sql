-- The method's records (problems, plans, commitments, check-ins, triggers,
-- screens...) as append-only versions. An item is never updated in place:
-- an edit adds a version, so a shared track record can be trusted and
-- nothing the user wrote is lost.
CREATE TABLE items (
    id            INTEGER PRIMARY KEY,
    owner_id      INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX items_kind ON items (owner_id, kind, id);

CREATE TABLE item_versions (
    id          INTEGER PRIMARY KEY,
    owner_id    INTEGER NOT NULL,
    item_id     INTEGER NOT NULL REFERENCES items (id),
    saved_at_ms INTEGER NOT NULL,
    data        TEXT    NOT NULL
);
CREATE INDEX item_versions_item ON item_versions (owner_id, item_id, id);

-- Nothing may change or remove a version once written.
CREATE TRIGGER item_versions_no_update BEFORE UPDATE ON item_versions
BEGIN SELECT RAISE(ABORT, 'item versions are append-only'); END;
CREATE TRIGGER item_versions_no_delete BEFORE DELETE ON item_versions
BEGIN SELECT RAISE(ABORT, 'item versions are append-only'); END;
