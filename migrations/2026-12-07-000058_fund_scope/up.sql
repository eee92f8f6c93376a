-- An operator's own system runs its neighbourhood funds: the scope funds:write.
ALTER TABLE api_keys
    DROP CONSTRAINT api_keys_scopes_known,
    ADD CONSTRAINT api_keys_scopes_known CHECK (cardinality(scopes) BETWEEN 1 AND 10 AND scopes <@ ARRAY[
        'activities:write', 'shifts:write', 'signups:write', 'roster:read', 'webhooks:manage',
        'concerns:write', 'partners:write', 'rooms:write', 'reports:read', 'funds:write']::text[]);

-- A subscription to every event type names the seven fund_application.* types too.
ALTER TABLE webhook_subscriptions
    DROP CONSTRAINT webhook_subscriptions_events_size,
    ADD CONSTRAINT webhook_subscriptions_events_size CHECK (cardinality(events) BETWEEN 1 AND 100);

-- The applicant hears of the decision on her application, and of its settlement.
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

-- What came of a concern may be a project a neighbourhood fund granted money for.
ALTER TABLE concern_outcomes
    ADD COLUMN fund_application_id uuid
        CONSTRAINT concern_outcomes_fund_application_id_fkey REFERENCES fund_applications (id) ON DELETE CASCADE,
    DROP CONSTRAINT concern_outcomes_kind_known,
    ADD CONSTRAINT concern_outcomes_kind_known
        CHECK (kind IN ('activity', 'occurrence', 'shift', 'room_booking', 'fund_application', 'outside')),
    DROP CONSTRAINT concern_outcomes_target_of_kind,
    ADD CONSTRAINT concern_outcomes_target_of_kind CHECK (
        (kind = 'activity') = (activity_id IS NOT NULL)
        AND (kind = 'occurrence') = (occurrence_id IS NOT NULL)
        AND (kind = 'shift') = (shift_id IS NOT NULL)
        AND (kind = 'room_booking') = (room_booking_id IS NOT NULL)
        AND (kind = 'fund_application') = (fund_application_id IS NOT NULL)
        AND (kind = 'outside') = (outside_ref IS NOT NULL)
        AND (outside_url IS NULL OR kind = 'outside')),
    DROP CONSTRAINT concern_outcomes_once,
    ADD CONSTRAINT concern_outcomes_once
        UNIQUE NULLS NOT DISTINCT (concern_id, activity_id, occurrence_id, shift_id, room_booking_id, fund_application_id, outside_ref);
CREATE INDEX concern_outcomes_fund_application_idx ON concern_outcomes (fund_application_id) WHERE fund_application_id IS NOT NULL;
