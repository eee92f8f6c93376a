DELETE FROM concern_outcomes WHERE kind = 'fund_application';
ALTER TABLE concern_outcomes
    DROP CONSTRAINT concern_outcomes_once,
    ADD CONSTRAINT concern_outcomes_once
        UNIQUE NULLS NOT DISTINCT (concern_id, activity_id, occurrence_id, shift_id, room_booking_id, outside_ref),
    DROP CONSTRAINT concern_outcomes_target_of_kind,
    ADD CONSTRAINT concern_outcomes_target_of_kind CHECK (
        (kind = 'activity') = (activity_id IS NOT NULL)
        AND (kind = 'occurrence') = (occurrence_id IS NOT NULL)
        AND (kind = 'shift') = (shift_id IS NOT NULL)
        AND (kind = 'room_booking') = (room_booking_id IS NOT NULL)
        AND (kind = 'outside') = (outside_ref IS NOT NULL)
        AND (outside_url IS NULL OR kind = 'outside')),
    DROP CONSTRAINT concern_outcomes_kind_known,
    ADD CONSTRAINT concern_outcomes_kind_known
        CHECK (kind IN ('activity', 'occurrence', 'shift', 'room_booking', 'outside')),
    DROP COLUMN fund_application_id;
DELETE FROM notifications WHERE kind = 'fund_application_decided';
ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation',
        'guest_hold', 'guest_link', 'help_wanted', 'staff_summary', 'concern_answered',
        'guest_concern', 'room_booking_decided', 'guest_room_booking', 'standing_offer'));
UPDATE webhook_subscriptions SET events = ARRAY(SELECT e FROM unnest(events) AS e WHERE e NOT LIKE 'fund_application.%');
DELETE FROM webhook_subscriptions WHERE cardinality(events) = 0;
ALTER TABLE webhook_subscriptions
    DROP CONSTRAINT webhook_subscriptions_events_size,
    ADD CONSTRAINT webhook_subscriptions_events_size CHECK (cardinality(events) BETWEEN 1 AND 30);
UPDATE api_keys SET scopes = array_remove(scopes, 'funds:write');
DELETE FROM api_keys WHERE cardinality(scopes) = 0;
ALTER TABLE api_keys
    DROP CONSTRAINT api_keys_scopes_known,
    ADD CONSTRAINT api_keys_scopes_known CHECK (cardinality(scopes) BETWEEN 1 AND 9 AND scopes <@ ARRAY[
        'activities:write', 'shifts:write', 'signups:write', 'roster:read', 'webhooks:manage',
        'concerns:write', 'partners:write', 'rooms:write', 'reports:read']::text[]);
