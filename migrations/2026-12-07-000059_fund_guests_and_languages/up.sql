-- A fund may be closed: it takes no new applications, and drafts are no longer handed in;
-- what was handed in before is still decided, reported and settled.
ALTER TABLE funds ADD COLUMN closed_at timestamptz;

-- Guests apply without an account: the checked application waits here for the confirmation
-- of the mailed link, and is handed in when it comes.
CREATE TABLE fund_application_drafts (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL
        CONSTRAINT fund_application_drafts_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    fund_id     uuid NOT NULL
        CONSTRAINT fund_application_drafts_fund_id_fkey REFERENCES funds (id) ON DELETE CASCADE,
    -- The name she gave with it: hers once she confirms.
    name        text NOT NULL CONSTRAINT fund_application_drafts_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    -- The checked fields of the application; checked again when it is confirmed.
    draft       jsonb NOT NULL
        CONSTRAINT fund_application_drafts_draft_object CHECK (jsonb_typeof(draft) = 'object' AND octet_length(draft::text) <= 131072),
    -- The SHA-256 of the confirmation link's token (derived from the id with a server key).
    token_hash  bytea NOT NULL CONSTRAINT fund_application_drafts_token_hash_key UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at  timestamptz NOT NULL,
    CONSTRAINT fund_application_drafts_expiry_after_creation CHECK (expires_at > created_at)
);
CREATE INDEX fund_application_drafts_user_id_idx ON fund_application_drafts (user_id);
CREATE INDEX fund_application_drafts_fund_id_idx ON fund_application_drafts (fund_id);
CREATE INDEX fund_application_drafts_expires_at_idx ON fund_application_drafts (expires_at);

ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation',
        'guest_hold', 'guest_link', 'help_wanted', 'staff_summary', 'concern_answered',
        'guest_concern', 'room_booking_decided', 'guest_room_booking', 'standing_offer',
        'fund_application_decided', 'guest_fund_application'));

-- A fund's title and a funded project's title in the neighbourhood's languages.
ALTER TABLE translations
    ADD COLUMN fund_id uuid CONSTRAINT translations_fund_id_fkey REFERENCES funds (id) ON DELETE CASCADE,
    ADD COLUMN fund_application_id uuid
        CONSTRAINT translations_fund_application_id_fkey REFERENCES fund_applications (id) ON DELETE CASCADE,
    DROP CONSTRAINT translations_one_owner,
    ADD CONSTRAINT translations_one_owner CHECK (
        num_nonnulls(activity_id, centre_id, shift_id, qualification_type_id, concern_id,
                     concern_category_id, room_id, fund_id, fund_application_id) = 1),
    DROP CONSTRAINT translations_field_known,
    ADD CONSTRAINT translations_field_known CHECK (
        (activity_id IS NULL OR field IN ('title', 'description', 'accessibility_notes', 'cost_note'))
        AND (centre_id IS NULL OR field IN ('name', 'description', 'accessibility_notes'))
        AND (shift_id IS NULL OR field IN ('title', 'description'))
        AND (qualification_type_id IS NULL OR field IN ('name'))
        AND (concern_id IS NULL OR field IN ('title', 'text'))
        AND (concern_category_id IS NULL OR field IN ('name'))
        AND (room_id IS NULL OR field IN ('name', 'description'))
        AND (fund_id IS NULL OR field IN ('title'))
        AND (fund_application_id IS NULL OR field IN ('title')));

CREATE UNIQUE INDEX translations_fund_key ON translations (fund_id, tag, field)
    WHERE fund_id IS NOT NULL;
CREATE UNIQUE INDEX translations_fund_application_key ON translations (fund_application_id, tag, field)
    WHERE fund_application_id IS NOT NULL;
