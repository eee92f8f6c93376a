DELETE FROM notifications WHERE kind IN ('guest_hold', 'guest_link');
ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation'));
DELETE FROM account_tokens WHERE purpose = 'guest_access';
ALTER TABLE account_tokens
    DROP CONSTRAINT account_tokens_purpose_known,
    ADD CONSTRAINT account_tokens_purpose_known CHECK (purpose IN ('verify_email', 'reset_password'));
DROP TABLE guest_holds;
UPDATE shifts SET held_count = 0;
ALTER TABLE shifts
    DROP CONSTRAINT shifts_places_within_capacity,
    ADD CONSTRAINT shifts_confirmed_within_capacity CHECK (confirmed_count BETWEEN 0 AND capacity),
    DROP COLUMN held_count,
    DROP COLUMN guest_signups;
ALTER TABLE centres DROP COLUMN guest_signups;
DELETE FROM users WHERE kind = 'guest';
DROP INDEX users_guests_idx;
DROP INDEX users_guest_email_key;
DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_email_key ON users (lower(normalize(email, NFC)));
ALTER TABLE users
    DROP CONSTRAINT users_guest_without_password_or_role,
    DROP CONSTRAINT users_account_has_address_and_password,
    ALTER COLUMN password_hash SET NOT NULL,
    ALTER COLUMN email SET NOT NULL,
    DROP COLUMN kind;
