-- API tokens. Only a SHA-256 hash of each secret is stored: the secret itself is shown once, when the
-- token is created, and cannot be recovered from the database. Revoked tokens stay (revoked_at set) so
-- that a name that appears in the history always means one credential; names are never reused.

CREATE TABLE api_token (
    name        text        PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$'),
    token_hash  text        NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    role        text        NOT NULL CHECK (role IN ('viewer', 'deployer', 'operator', 'admin')),
    created_at  timestamptz NOT NULL,
    created_by  text        NOT NULL,
    expires_at  timestamptz,
    revoked_at  timestamptz,
    revoked_by  text
);
