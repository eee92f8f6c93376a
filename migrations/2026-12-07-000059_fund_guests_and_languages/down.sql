DROP INDEX translations_fund_application_key;
DROP INDEX translations_fund_key;
DELETE FROM translations WHERE fund_id IS NOT NULL OR fund_application_id IS NOT NULL;
ALTER TABLE translations
    DROP CONSTRAINT translations_field_known,
    ADD CONSTRAINT translations_field_known CHECK (
        (activity_id IS NULL OR field IN ('title', 'description', 'accessibility_notes', 'cost_note'))
        AND (centre_id IS NULL OR field IN ('name', 'description', 'accessibility_notes'))
        AND (shift_id IS NULL OR field IN ('title', 'description'))
        AND (qualification_type_id IS NULL OR field IN ('name'))
        AND (concern_id IS NULL OR field IN ('title', 'text'))
        AND (concern_category_id IS NULL OR field IN ('name'))
        AND (room_id IS NULL OR field IN ('name', 'description'))),
    DROP CONSTRAINT translations_one_owner,
    ADD CONSTRAINT translations_one_owner CHECK (
        num_nonnulls(activity_id, centre_id, shift_id, qualification_type_id, concern_id,
                     concern_category_id, room_id) = 1),
    DROP COLUMN fund_application_id,
    DROP COLUMN fund_id;

DELETE FROM notifications WHERE kind = 'guest_fund_application';
ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation',
        'guest_hold', 'guest_link', 'help_wanted', 'staff_summary', 'concern_answered',
        'guest_concern', 'room_booking_decided', 'guest_room_booking', 'standing_offer',
        'fund_application_decided'));

DROP TABLE fund_application_drafts;
ALTER TABLE funds DROP COLUMN closed_at;
