-- Standing sign-ups that ask (quartier_domain::standing::StandingMode): each date is offered as
-- a held place (a hold of `guest_holds`, counted in `shifts.held_count` like a guest's) until
-- she accepts or declines it, or until its answer is due, when the place goes to whoever waits.
ALTER TABLE standing_signups
    ADD COLUMN mode text NOT NULL DEFAULT 'auto'
        CONSTRAINT standing_signups_mode CHECK (mode IN ('auto', 'ask')),
    ADD COLUMN answer_hours integer NOT NULL DEFAULT 72
        CONSTRAINT standing_signups_answer_hours CHECK (answer_hours BETWEEN 1 AND 336);

-- The commitment an offered place is held for (none: a guest's hold).
ALTER TABLE guest_holds
    ADD COLUMN standing_signup_id uuid REFERENCES standing_signups (id) ON DELETE CASCADE;
CREATE INDEX guest_holds_standing ON guest_holds (standing_signup_id) WHERE standing_signup_id IS NOT NULL;

ALTER TABLE standing_dates
    DROP CONSTRAINT standing_dates_outcome,
    ADD CONSTRAINT standing_dates_outcome CHECK (
        outcome IN ('confirmed', 'waitlisted', 'offered', 'declined', 'expired', 'blocked_out',
                    'signed_up_already', 'overlapping', 'qualification_missing', 'workload_limit')),
    -- When an offer was to be answered, and when it was.
    ADD COLUMN answer_by timestamptz,
    ADD COLUMN answered_at timestamptz,
    ADD CONSTRAINT standing_dates_offered CHECK (outcome <> 'offered' OR answer_by IS NOT NULL);

-- She is told of each offer.
ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation',
        'guest_hold', 'guest_link', 'help_wanted', 'staff_summary', 'concern_answered',
        'guest_concern', 'room_booking_decided', 'guest_room_booking', 'standing_offer'));
