-- Daily digests: "help wanted near you" for volunteers who ask for it (by their districts and
-- skills), and a daily summary for staff (late cancellations, shifts still short).

ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation',
        'guest_hold', 'guest_link', 'help_wanted', 'staff_summary'));

ALTER TABLE notification_preferences
    DROP CONSTRAINT notification_preferences_kind_optional,
    ADD CONSTRAINT notification_preferences_kind_optional
        CHECK (kind IN ('shift_reminder', 'help_wanted', 'staff_summary')),
    -- A digest is a digest: daily or not at all.
    ADD CONSTRAINT notification_preferences_digests_daily
        CHECK (kind NOT IN ('help_wanted', 'staff_summary') OR delivery <> 'immediate');

-- The name a guest gave with this sign-up: it becomes her name only when she confirms from
-- the mail, so that nobody names a guest by knowing her address.
ALTER TABLE guest_holds
    ADD COLUMN name text NOT NULL DEFAULT ''
        CONSTRAINT guest_holds_name_length CHECK (char_length(name) <= 100);

-- A bounced mail was sent first: it keeps the time it was.
ALTER TABLE notifications
    DROP CONSTRAINT notifications_sent_at_when_sent,
    ADD CONSTRAINT notifications_sent_at_when_sent
        CHECK ((state IN ('sent', 'bounced')) = (sent_at IS NOT NULL));
