-- Before both sides of a match of neighbourly help said yes, they write to each other
-- through Quartier: a message is stored here and reaches the other side as a notification,
-- without either learning the other's contact.
CREATE TABLE help_messages (
    id          uuid PRIMARY KEY,
    match_id    uuid NOT NULL
        CONSTRAINT help_messages_match_id_fkey REFERENCES help_matches (id) ON DELETE CASCADE,
    -- Who wrote: the helper, the requester, or the centre's staff for someone they recorded.
    sender_role text NOT NULL CONSTRAINT help_messages_sender_role_known CHECK (sender_role IN ('helper', 'requester', 'staff')),
    sent_by     uuid CONSTRAINT help_messages_sent_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    body        text NOT NULL CONSTRAINT help_messages_body_length CHECK (char_length(body) BETWEEN 1 AND 1000),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX help_messages_match_idx ON help_messages (match_id, created_at);
CREATE INDEX help_messages_sent_by_idx ON help_messages (sent_by) WHERE sent_by IS NOT NULL;

ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation',
        'guest_hold', 'guest_link', 'help_wanted', 'staff_summary', 'concern_answered',
        'guest_concern', 'room_booking_decided', 'guest_room_booking', 'standing_offer',
        'fund_application_decided', 'guest_fund_application', 'help_match', 'guest_help_request',
        'help_message'));
