-- Mail to volunteers about their shifts: what happened to a sign-up, a moved shift,
-- reminders, and messages from staff; the person's choices about optional mail.

ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message'));

-- The failures staff look at: an operator's notifications that did not go out.
CREATE INDEX notifications_failed_idx ON notifications (operator_id, created_at DESC)
    WHERE state IN ('failed', 'bounced');

-- A person's choice for an optional kind of mail; no row means the default.
CREATE TABLE notification_preferences (
    user_id    uuid NOT NULL
        CONSTRAINT notification_preferences_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    kind       text NOT NULL
        CONSTRAINT notification_preferences_kind_optional CHECK (kind IN ('shift_reminder')),
    delivery   text NOT NULL
        CONSTRAINT notification_preferences_delivery_known CHECK (delivery IN ('immediate', 'daily_digest', 'off')),
    -- For reminders: how long before the start.
    lead_hours integer
        CONSTRAINT notification_preferences_lead_hours_known CHECK (lead_hours IN (2, 24, 48)),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, kind),
    CONSTRAINT notification_preferences_lead_for_reminders
        CHECK ((kind = 'shift_reminder') = (lead_hours IS NOT NULL)),
    -- A reminder in tomorrow's digest would come too late.
    CONSTRAINT notification_preferences_reminders_not_digested
        CHECK (kind <> 'shift_reminder' OR delivery <> 'daily_digest')
);

-- What staff told everyone confirmed on a shift.
CREATE TABLE shift_messages (
    id         uuid PRIMARY KEY,
    shift_id   uuid NOT NULL
        CONSTRAINT shift_messages_shift_id_fkey REFERENCES shifts (id) ON DELETE CASCADE,
    sent_by    uuid
        CONSTRAINT shift_messages_sent_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    subject    text NOT NULL
        CONSTRAINT shift_messages_subject_length CHECK (char_length(subject) BETWEEN 1 AND 200),
    body       text NOT NULL
        CONSTRAINT shift_messages_body_length CHECK (char_length(body) BETWEEN 1 AND 5000),
    recipients integer NOT NULL CONSTRAINT shift_messages_recipients_not_negative CHECK (recipients >= 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX shift_messages_shift_id_idx ON shift_messages (shift_id, created_at DESC);
CREATE INDEX shift_messages_sent_by_idx ON shift_messages (sent_by) WHERE sent_by IS NOT NULL;
