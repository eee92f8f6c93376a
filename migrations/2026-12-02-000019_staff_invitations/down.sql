DROP TABLE staff_invitations;
DELETE FROM notifications WHERE user_id IS NULL OR kind = 'staff_invitation';
ALTER TABLE notifications
    DROP CONSTRAINT notifications_recipient,
    ALTER COLUMN user_id SET NOT NULL,
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message'));
