UPDATE notifications SET sent_at = NULL WHERE state = 'bounced';
ALTER TABLE notifications
    DROP CONSTRAINT notifications_sent_at_when_sent,
    ADD CONSTRAINT notifications_sent_at_when_sent CHECK ((state = 'sent') = (sent_at IS NOT NULL));
ALTER TABLE guest_holds DROP COLUMN name;
DELETE FROM notification_preferences WHERE kind IN ('help_wanted', 'staff_summary');
ALTER TABLE notification_preferences
    DROP CONSTRAINT notification_preferences_digests_daily,
    DROP CONSTRAINT notification_preferences_kind_optional,
    ADD CONSTRAINT notification_preferences_kind_optional CHECK (kind IN ('shift_reminder'));
DELETE FROM notifications WHERE kind IN ('help_wanted', 'staff_summary');
ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation',
        'guest_hold', 'guest_link'));
