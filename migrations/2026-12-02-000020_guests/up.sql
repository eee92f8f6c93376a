-- Guests: neighbours who help without an account. A guest is a row of `users` of kind
-- `guest` (no password; no address for a walk-in signed up at the desk), so that every rule
-- about sign-ups holds for guests unchanged. A guest's sign-up first holds a place until the
-- guest confirms it from the mail; held places count against the capacity.

ALTER TABLE users
    ADD COLUMN kind text NOT NULL DEFAULT 'account'
        CONSTRAINT users_kind_known CHECK (kind IN ('account', 'guest')),
    ALTER COLUMN email DROP NOT NULL,
    ALTER COLUMN password_hash DROP NOT NULL,
    ADD CONSTRAINT users_account_has_address_and_password
        CHECK (kind = 'guest' OR (email IS NOT NULL AND password_hash IS NOT NULL)),
    ADD CONSTRAINT users_guest_without_password_or_role
        CHECK (kind = 'account' OR (password_hash IS NULL AND role = 'member'));

-- One account per address, and one guest per address; until the owner of an account verifies
-- it, a guest with the same address may exist (her sign-ups then move to the account).
DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_email_key ON users (lower(normalize(email, NFC))) WHERE kind = 'account';
CREATE UNIQUE INDEX users_guest_email_key ON users (lower(normalize(email, NFC))) WHERE kind = 'guest';
CREATE INDEX users_guests_idx ON users (created_at) WHERE kind = 'guest';

-- Whether guests may sign up: the centre's choice, which a shift may override (NULL: as its
-- centre says).
ALTER TABLE centres ADD COLUMN guest_signups boolean NOT NULL DEFAULT false;

ALTER TABLE shifts
    ADD COLUMN guest_signups boolean,
    -- Places held for guests until they confirm; kept in step with `guest_holds` in the same
    -- transaction, like `confirmed_count`.
    ADD COLUMN held_count integer NOT NULL DEFAULT 0,
    DROP CONSTRAINT shifts_confirmed_within_capacity,
    ADD CONSTRAINT shifts_places_within_capacity
        CHECK (confirmed_count >= 0 AND held_count >= 0 AND confirmed_count + held_count <= capacity);

-- A guest's sign-up waiting for the confirmation mailed to her. It holds a place when one was
-- free (then counted in `shifts.held_count`); else confirming puts her on the waitlist.
CREATE TABLE guest_holds (
    id          uuid PRIMARY KEY,
    shift_id    uuid NOT NULL
        CONSTRAINT guest_holds_shift_id_fkey REFERENCES shifts (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL
        CONSTRAINT guest_holds_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    holds_place boolean NOT NULL,
    -- The SHA-256 of the confirmation link's token (derived from the id with a server key).
    token_hash  bytea NOT NULL CONSTRAINT guest_holds_token_hash_key UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at  timestamptz NOT NULL,
    CONSTRAINT guest_holds_expiry_after_creation CHECK (expires_at > created_at),
    CONSTRAINT guest_holds_one_per_shift UNIQUE (shift_id, user_id)
);

CREATE INDEX guest_holds_expires_at_idx ON guest_holds (expires_at);
CREATE INDEX guest_holds_user_id_idx ON guest_holds (user_id);

-- A guest's link to her own sign-ups: used as often as needed while it lasts.
ALTER TABLE account_tokens
    DROP CONSTRAINT account_tokens_purpose_known,
    ADD CONSTRAINT account_tokens_purpose_known
        CHECK (purpose IN ('verify_email', 'reset_password', 'guest_access'));

ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation',
        'guest_hold', 'guest_link'));
