DELETE FROM notifications WHERE kind = 'standing_offer';
ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation',
        'guest_hold', 'guest_link', 'help_wanted', 'staff_summary', 'concern_answered',
        'guest_concern', 'room_booking_decided', 'guest_room_booking'));
-- Dates offered, declined or expired stay decided (as if blocked out), so that no worker
-- signs her up for them afterwards.
UPDATE standing_dates SET outcome = 'blocked_out' WHERE outcome IN ('offered', 'declined', 'expired');
ALTER TABLE standing_dates
    DROP CONSTRAINT standing_dates_offered,
    DROP COLUMN answered_at,
    DROP COLUMN answer_by,
    DROP CONSTRAINT standing_dates_outcome,
    ADD CONSTRAINT standing_dates_outcome CHECK (
        outcome IN ('confirmed', 'waitlisted', 'blocked_out', 'signed_up_already', 'overlapping',
                    'qualification_missing', 'workload_limit'));
UPDATE shifts s SET held_count = held_count - (
    SELECT count(*) FROM guest_holds h WHERE h.shift_id = s.id AND h.holds_place AND h.standing_signup_id IS NOT NULL)
WHERE EXISTS (SELECT 1 FROM guest_holds h WHERE h.shift_id = s.id AND h.standing_signup_id IS NOT NULL);
DELETE FROM guest_holds WHERE standing_signup_id IS NOT NULL;
DROP INDEX guest_holds_standing;
ALTER TABLE guest_holds DROP COLUMN standing_signup_id;
ALTER TABLE standing_signups DROP COLUMN answer_hours, DROP COLUMN mode;
