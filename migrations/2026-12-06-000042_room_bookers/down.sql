DELETE FROM notifications WHERE kind = 'guest_room_booking';
ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation',
        'guest_hold', 'guest_link', 'help_wanted', 'staff_summary', 'concern_answered',
        'guest_concern', 'room_booking_decided'));
DROP TABLE room_booking_drafts;
DELETE FROM room_bookings WHERE booker_kind IN ('activity', 'guest');
ALTER TABLE room_bookings
    DROP CONSTRAINT room_bookings_activity_named,
    DROP COLUMN activity_id,
    DROP CONSTRAINT room_bookings_booker_kind_known,
    ADD CONSTRAINT room_bookings_booker_kind_known CHECK (booker_kind IN ('operator', 'partner', 'account'));
