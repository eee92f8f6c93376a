DROP TABLE shift_messages;
DROP TABLE notification_preferences;
DROP INDEX notifications_failed_idx;
DELETE FROM notifications WHERE kind IN ('signup_confirmed', 'signup_waitlisted', 'signup_promoted',
    'signup_cancelled', 'shift_moved', 'shift_reminder', 'shift_message');
ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed'));
