DELETE FROM notifications WHERE kind IN ('help_match', 'guest_help_request');
-- A subscription or key left with nothing once the help parts go is removed first: the
-- CHECKs want at least one.
DELETE FROM webhook_subscriptions WHERE events <@ ARRAY(SELECT e FROM unnest(events) AS e WHERE e LIKE 'help_request.%');
UPDATE webhook_subscriptions SET events = ARRAY(SELECT e FROM unnest(events) AS e WHERE e NOT LIKE 'help_request.%')
    WHERE EXISTS (SELECT 1 FROM unnest(events) AS e WHERE e LIKE 'help_request.%');
ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation',
        'guest_hold', 'guest_link', 'help_wanted', 'staff_summary', 'concern_answered',
        'guest_concern', 'room_booking_decided', 'guest_room_booking', 'standing_offer',
        'fund_application_decided', 'guest_fund_application'));
DELETE FROM api_keys WHERE scopes = ARRAY['help:write']::text[];
UPDATE api_keys SET scopes = array_remove(scopes, 'help:write') WHERE 'help:write' = ANY (scopes);
ALTER TABLE api_keys
    DROP CONSTRAINT api_keys_scopes_known,
    ADD CONSTRAINT api_keys_scopes_known CHECK (cardinality(scopes) BETWEEN 1 AND 10 AND scopes <@ ARRAY[
        'activities:write', 'shifts:write', 'signups:write', 'roster:read', 'webhooks:manage',
        'concerns:write', 'partners:write', 'rooms:write', 'reports:read', 'funds:write']::text[]);
ALTER TABLE volunteer_profiles DROP COLUMN max_help_per_month;
DROP TABLE help_request_drafts;
DROP TABLE help_matches;
DROP TABLE help_requests;
