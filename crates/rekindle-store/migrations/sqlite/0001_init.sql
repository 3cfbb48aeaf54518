-- Every user-data table carries owner_id from the start so the hosted,
-- multi-user backend can share the same query shapes (architecture.md).

-- Every saved version of "the relationship" is kept: an edit appends, it
-- never overwrites, so nothing the user wrote is ever lost.
CREATE TABLE relationship_versions (
    id          INTEGER PRIMARY KEY,
    owner_id    INTEGER NOT NULL,
    saved_at_ms INTEGER NOT NULL,
    data        TEXT    NOT NULL
);
CREATE INDEX relationship_versions_owner ON relationship_versions (owner_id, id);

CREATE TABLE settings (
    owner_id INTEGER PRIMARY KEY,
    data     TEXT NOT NULL
);
