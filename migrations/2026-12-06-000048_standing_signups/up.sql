-- Standing sign-ups (quartier_domain::standing): a volunteer's commitment to a shift slot of an
-- activity on a pattern of dates, the dates she cannot come (blockouts), and which shift each
-- commitment has been signed up for, once.
CREATE TABLE standing_signups (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    activity_id uuid NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    -- The slot: shifts of the activity starting at this local (Europe/Berlin) time, and with
    -- this title where one is named.
    slot_start time NOT NULL,
    slot_title text CONSTRAINT standing_signups_slot_title CHECK (char_length(slot_title) BETWEEN 1 AND 200),
    pattern text NOT NULL CONSTRAINT standing_signups_pattern CHECK (pattern IN ('weekly', 'biweekly', 'monthly')),
    -- ISO weekday, 1 = Monday.
    weekday smallint NOT NULL CONSTRAINT standing_signups_weekday CHECK (weekday BETWEEN 1 AND 7),
    -- Every second week counts from this date (a date of `weekday`).
    anchor_date date,
    -- The nth `weekday` of the month, 1 to 5, or -1 for the last.
    week_of_month smallint CONSTRAINT standing_signups_week_of_month CHECK (week_of_month IN (-1, 1, 2, 3, 4, 5)),
    valid_from date NOT NULL,
    valid_until date,
    status text NOT NULL DEFAULT 'active'
        CONSTRAINT standing_signups_status CHECK (status IN ('active', 'paused', 'ended')),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    -- Until when a worker claimed it (a lease, so that a worker that dies frees it).
    claimed_until timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    ended_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    CONSTRAINT standing_signups_shape CHECK (
        (pattern = 'weekly' AND anchor_date IS NULL AND week_of_month IS NULL)
        OR (pattern = 'biweekly' AND anchor_date IS NOT NULL AND week_of_month IS NULL
            AND extract(isodow FROM anchor_date) = weekday)
        OR (pattern = 'monthly' AND anchor_date IS NULL AND week_of_month IS NOT NULL)),
    CONSTRAINT standing_signups_valid CHECK (valid_until IS NULL OR valid_until >= valid_from),
    CONSTRAINT standing_signups_ended CHECK ((status = 'ended') = (ended_at IS NOT NULL))
);
CREATE INDEX standing_signups_user ON standing_signups (user_id, created_at);
CREATE INDEX standing_signups_activity ON standing_signups (activity_id, created_at) WHERE status = 'active';

-- Dates a volunteer cannot come: from `starts_on` to `ends_on`, and where `weekly_until` is set
-- the same days of the week again every week until then.
CREATE TABLE blockouts (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    weekly_until date,
    note text CONSTRAINT blockouts_note CHECK (char_length(note) <= 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT blockouts_range CHECK (ends_on >= starts_on),
    CONSTRAINT blockouts_weekly CHECK (
        weekly_until IS NULL OR (ends_on - starts_on < 7 AND weekly_until >= ends_on))
);
CREATE INDEX blockouts_user ON blockouts (user_id, starts_on);

-- Each commitment is signed up for each shift once: what came of it.
CREATE TABLE standing_dates (
    standing_signup_id uuid NOT NULL REFERENCES standing_signups (id) ON DELETE CASCADE,
    shift_id uuid NOT NULL REFERENCES shifts (id) ON DELETE CASCADE,
    signup_id uuid REFERENCES signups (id) ON DELETE SET NULL,
    outcome text NOT NULL CONSTRAINT standing_dates_outcome CHECK (
        outcome IN ('confirmed', 'waitlisted', 'blocked_out', 'signed_up_already', 'overlapping',
                    'qualification_missing', 'workload_limit')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (standing_signup_id, shift_id)
);
CREATE INDEX standing_dates_shift ON standing_dates (shift_id);

-- Which commitment a sign-up came from.
ALTER TABLE signups
    ADD COLUMN standing_signup_id uuid REFERENCES standing_signups (id) ON DELETE SET NULL;
CREATE INDEX signups_standing ON signups (standing_signup_id) WHERE standing_signup_id IS NOT NULL;

-- Places of a shift that standing sign-ups may take; NULL: all but one (capacity - 1).
ALTER TABLE shifts
    ADD COLUMN standing_max integer CONSTRAINT shifts_standing_max CHECK (standing_max >= 0);
