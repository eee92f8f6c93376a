-- Rooms are booked for an activity too (a meeting of its group outside its schedule), and by
-- guests: residents without an account, whose request exists once they confirm it from the
-- mail (until then it waits in room_booking_drafts, as a guest's concern does).
ALTER TABLE room_bookings
    DROP CONSTRAINT room_bookings_booker_kind_known,
    ADD CONSTRAINT room_bookings_booker_kind_known
        CHECK (booker_kind IN ('operator', 'partner', 'activity', 'account', 'guest')),
    ADD COLUMN activity_id uuid
        CONSTRAINT room_bookings_activity_id_fkey REFERENCES activities (id) ON DELETE CASCADE,
    ADD CONSTRAINT room_bookings_activity_named CHECK ((booker_kind = 'activity') = (activity_id IS NOT NULL));
CREATE INDEX room_bookings_activity_idx ON room_bookings (activity_id) WHERE activity_id IS NOT NULL;

CREATE TABLE room_booking_drafts (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL
        CONSTRAINT room_booking_drafts_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    room_id     uuid NOT NULL
        CONSTRAINT room_booking_drafts_room_id_fkey REFERENCES rooms (id) ON DELETE CASCADE,
    -- The name she gave with it: hers once she confirms.
    name        text NOT NULL CONSTRAINT room_booking_drafts_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    -- The checked booking; its dates are checked again against the room when it is confirmed.
    draft       jsonb NOT NULL
        CONSTRAINT room_booking_drafts_draft_object CHECK (jsonb_typeof(draft) = 'object' AND octet_length(draft::text) <= 32768),
    -- The SHA-256 of the confirmation link's token (derived from the id with a server key).
    token_hash  bytea NOT NULL CONSTRAINT room_booking_drafts_token_hash_key UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at  timestamptz NOT NULL,
    CONSTRAINT room_booking_drafts_expiry_after_creation CHECK (expires_at > created_at)
);
CREATE INDEX room_booking_drafts_user_id_idx ON room_booking_drafts (user_id);
CREATE INDEX room_booking_drafts_room_id_idx ON room_booking_drafts (room_id);
CREATE INDEX room_booking_drafts_expires_at_idx ON room_booking_drafts (expires_at);

ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation',
        'guest_hold', 'guest_link', 'help_wanted', 'staff_summary', 'concern_answered',
        'guest_concern', 'room_booking_decided', 'guest_room_booking'));
