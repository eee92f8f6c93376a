-- Concerns raised without an account: the guest gives her name and address, and the concern
-- exists only once she confirms it with the mailed link (then it is hers, or the account's
-- whose verified address it is). Until then it waits here, and is nobody's to read.
CREATE TABLE concern_drafts (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL
        CONSTRAINT concern_drafts_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    -- The name she gave with it: hers once she confirms.
    name        text NOT NULL CONSTRAINT concern_drafts_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    -- The checked fields of the concern; checked again when it is confirmed.
    draft       jsonb NOT NULL
        CONSTRAINT concern_drafts_draft_object CHECK (jsonb_typeof(draft) = 'object' AND octet_length(draft::text) <= 32768),
    -- The SHA-256 of the confirmation link's token (derived from the id with a server key).
    token_hash  bytea NOT NULL CONSTRAINT concern_drafts_token_hash_key UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at  timestamptz NOT NULL,
    CONSTRAINT concern_drafts_expiry_after_creation CHECK (expires_at > created_at)
);
CREATE INDEX concern_drafts_user_id_idx ON concern_drafts (user_id);
CREATE INDEX concern_drafts_expires_at_idx ON concern_drafts (expires_at);

ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation',
        'guest_hold', 'guest_link', 'help_wanted', 'staff_summary', 'concern_answered',
        'guest_concern'));
