-- Staff are invited, not added: an operator admin invites an address; the person accepts
-- with an account whose verified address it is. Until then nothing maps the address to an
-- account or a name. Mail can now go to an address that has no account.

ALTER TABLE notifications
    ALTER COLUMN user_id DROP NOT NULL,
    ADD CONSTRAINT notifications_recipient CHECK (user_id IS NOT NULL OR address IS NOT NULL),
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation'));

CREATE TABLE staff_invitations (
    id          uuid PRIMARY KEY,
    operator_id uuid NOT NULL
        CONSTRAINT staff_invitations_operator_id_fkey REFERENCES operators (id) ON DELETE CASCADE,
    email       text NOT NULL
        CONSTRAINT staff_invitations_email_length CHECK (char_length(email) BETWEEN 3 AND 254),
    role        text NOT NULL
        CONSTRAINT staff_invitations_role_known CHECK (role IN ('operator_admin', 'coordinator')),
    -- For coordinators: the centres they will be limited to.
    centre_ids  uuid[] NOT NULL DEFAULT '{}'
        CONSTRAINT staff_invitations_centre_ids_size CHECK (cardinality(centre_ids) <= 100),
    invited_by  uuid
        CONSTRAINT staff_invitations_invited_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    -- The SHA-256 of the link's token (derived from the id with a server key).
    token_hash  bytea NOT NULL CONSTRAINT staff_invitations_token_hash_key UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    accepted_by uuid
        CONSTRAINT staff_invitations_accepted_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    revoked_at  timestamptz,
    CONSTRAINT staff_invitations_expiry_after_creation CHECK (expires_at > created_at),
    CONSTRAINT staff_invitations_accepted_or_revoked CHECK (accepted_at IS NULL OR revoked_at IS NULL),
    CONSTRAINT staff_invitations_accepted_by_when_accepted CHECK (accepted_by IS NULL OR accepted_at IS NOT NULL),
    CONSTRAINT staff_invitations_limits_for_coordinators
        CHECK (role = 'coordinator' OR cardinality(centre_ids) = 0)
);

-- One open invitation per operator and address (in any case and composition).
CREATE UNIQUE INDEX staff_invitations_open_key
    ON staff_invitations (operator_id, lower(normalize(email, NFC)))
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX staff_invitations_invited_by_idx ON staff_invitations (invited_by) WHERE invited_by IS NOT NULL;
CREATE INDEX staff_invitations_accepted_by_idx ON staff_invitations (accepted_by) WHERE accepted_by IS NOT NULL;
