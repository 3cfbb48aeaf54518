-- Accounts, invitations, sessions and login throttling: the tables the app
-- reads before it knows whose request it is serving, so they carry no
-- row-level security (the content tables do). Nothing here decrypts anything
-- on its own: data keys are stored only wrapped (by the password, or by a
-- secret that exists only in a live session cookie), tokens only as SHA-256.

-- One row per account. The username is plain (the operator must be able to
-- disable or delete an account by name); everything the person writes lives
-- in the content tables, sealed under the data key wrapped here.
CREATE TABLE accounts (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username        text    NOT NULL UNIQUE,
    created_at_ms   bigint  NOT NULL,
    last_seen_ms    bigint,
    disabled        boolean NOT NULL DEFAULT false,
    consent_version integer,
    consent_at_ms   bigint,
    -- Argon2id(password, kdf_salt; kdf_m KiB, kdf_t passes, kdf_p lanes) wraps
    -- the data key: nonce (24 bytes) || XChaCha20-Poly1305 ciphertext.
    -- NULL once the account is being deleted (crypto-shredded).
    kdf_salt        bytea,
    kdf_m           integer NOT NULL,
    kdf_t           integer NOT NULL,
    kdf_p           integer NOT NULL,
    wrapped_key     bytea
);

-- Sign-up is by invitation only. Only SHA-256 of the token is kept.
CREATE TABLE invitations (
    token_hash    bytea  PRIMARY KEY,
    note          text,
    created_at_ms bigint NOT NULL,
    expires_at_ms bigint NOT NULL,
    used_at_ms    bigint,
    used_by       bigint
);

-- A live sign-in. id_hash = SHA-256(cookie token); wrapped_key = the data
-- key under a key derived from the token, which only the cookie holds.
CREATE TABLE sessions (
    id_hash        bytea   PRIMARY KEY,
    account_id     bigint  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    wrapped_key    bytea   NOT NULL,
    created_at_ms  bigint  NOT NULL,
    last_seen_ms   bigint  NOT NULL,
    crisis_pending boolean NOT NULL DEFAULT false
);
CREATE INDEX sessions_account ON sessions (account_id);

-- Failed sign-ins per username (existing or not, so the answer reveals
-- nothing), shared by every app process.
CREATE TABLE login_throttle (
    username        text   PRIMARY KEY,
    failures        integer NOT NULL,
    window_start_ms bigint NOT NULL,
    next_allowed_ms bigint NOT NULL
);
