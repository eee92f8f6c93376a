-- Reaching people by e-mail: verified addresses, one-use tokens for verification and password
-- reset, a per-account token generation that ends every access token at once, and the
-- notifications table as the one outbox of mail to persons.

ALTER TABLE users
    -- When the address in `email` was shown to reach its owner; NULL until then.
    ADD COLUMN email_verified_at timestamptz,
    -- Raised when the password changes or is reset: access tokens carry the generation they
    -- were issued in, and older ones are refused.
    ADD COLUMN token_generation integer NOT NULL DEFAULT 1
        CONSTRAINT users_token_generation_positive CHECK (token_generation >= 1),
    -- The language mail to this person is written in.
    ADD COLUMN language text NOT NULL DEFAULT 'de'
        CONSTRAINT users_language_known CHECK (language IN ('de', 'en'));

-- One-use tokens sent by mail. Only the SHA-256 of the token is kept; the token itself is
-- derived from the row id with a server secret when the mail is written, so it is stored
-- nowhere.
CREATE TABLE account_tokens (
    id         uuid PRIMARY KEY,
    user_id    uuid NOT NULL
        CONSTRAINT account_tokens_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    purpose    text NOT NULL
        CONSTRAINT account_tokens_purpose_known CHECK (purpose IN ('verify_email', 'reset_password')),
    -- The address a verification token proves (the account's, or the one it is changing to).
    email      text
        CONSTRAINT account_tokens_email_length CHECK (char_length(email) BETWEEN 3 AND 254),
    token_hash bytea NOT NULL CONSTRAINT account_tokens_token_hash_key UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    CONSTRAINT account_tokens_expiry_after_creation CHECK (expires_at > created_at),
    CONSTRAINT account_tokens_email_for_verification
        CHECK ((purpose = 'verify_email') = (email IS NOT NULL))
);

CREATE INDEX account_tokens_user_id_idx ON account_tokens (user_id, purpose);

-- Every notification is also a mail. `state` is the mail's: queued until a sender claims it,
-- then sent, skipped (the fact it told of no longer holds, or the person does not want this
-- kind), failed after the last retry, or bounced.
ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed')),
    -- Where the mail goes when it is not the account's address at sending time (a new
    -- address being verified).
    ADD COLUMN address text
        CONSTRAINT notifications_address_length CHECK (char_length(address) BETWEEN 3 AND 254),
    -- One row per message and recipient: a repeated fact makes no second mail.
    ADD COLUMN dedup_key text,
    ADD COLUMN due_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN state text NOT NULL DEFAULT 'queued'
        CONSTRAINT notifications_state_known CHECK (state IN (
            'queued', 'sent', 'skipped_obsolete', 'skipped_preference', 'failed', 'bounced')),
    ADD COLUMN attempts integer NOT NULL DEFAULT 0
        CONSTRAINT notifications_attempts_not_negative CHECK (attempts >= 0),
    -- A sender holds a claimed row until then; another may take it over afterwards.
    ADD COLUMN leased_until timestamptz,
    ADD COLUMN next_attempt_at timestamptz,
    ADD COLUMN sent_at timestamptz,
    ADD COLUMN last_error text
        CONSTRAINT notifications_last_error_length CHECK (char_length(last_error) <= 500),
    ADD CONSTRAINT notifications_sent_at_when_sent CHECK ((state = 'sent') = (sent_at IS NOT NULL));

-- What was told before mail existed counts as sent.
UPDATE notifications SET dedup_key = id::text, state = 'sent', sent_at = created_at;

ALTER TABLE notifications
    ALTER COLUMN dedup_key SET NOT NULL,
    ADD CONSTRAINT notifications_dedup_key_key UNIQUE (dedup_key);

-- The senders' queue: only rows still to send.
CREATE INDEX notifications_queue_idx ON notifications (due_at) WHERE state = 'queued';
