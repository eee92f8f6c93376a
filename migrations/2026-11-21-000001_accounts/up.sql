-- Accounts and the refresh tokens that keep people signed in.

CREATE TABLE users (
    id                 uuid PRIMARY KEY,
    email              text NOT NULL
        CONSTRAINT users_email_length CHECK (char_length(email) BETWEEN 3 AND 254),
    display_name       text NOT NULL
        CONSTRAINT users_display_name_length CHECK (char_length(display_name) BETWEEN 1 AND 100),
    password_hash      text NOT NULL,
    role               text NOT NULL DEFAULT 'member'
        CONSTRAINT users_role_known CHECK (role IN ('admin', 'member')),
    privacy_consent_at timestamptz NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    version            integer NOT NULL DEFAULT 1
        CONSTRAINT users_version_positive CHECK (version >= 1)
);

-- One account per address, whatever the case it is typed in.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Refresh tokens are opaque random strings; only their SHA-256 is kept. Each login starts a
-- family; every refresh uses up one token and adds the next to the same family. A token that
-- is presented again after it was used means it was stolen: the whole family is revoked.
CREATE TABLE refresh_tokens (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id  uuid NOT NULL,
    token_hash bytea NOT NULL CONSTRAINT refresh_tokens_token_hash_key UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    revoked_at timestamptz,
    CONSTRAINT refresh_tokens_expiry_after_creation CHECK (expires_at > created_at)
);

CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);
