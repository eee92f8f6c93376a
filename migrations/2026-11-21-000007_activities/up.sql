-- Activities (Angebote) of centres, their schedules, and the occurrences (Termine) those
-- schedules are expanded into.

CREATE TABLE activities (
    id                    uuid PRIMARY KEY,
    centre_id             uuid NOT NULL CONSTRAINT activities_centre_id_fkey REFERENCES centres (id) ON DELETE RESTRICT,
    title                 text NOT NULL CONSTRAINT activities_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
    description           text NOT NULL DEFAULT ''
        CONSTRAINT activities_description_length CHECK (char_length(description) <= 8000),
    category              text NOT NULL
        CONSTRAINT activities_category_known CHECK (category IN ('open_meetup', 'play_group', 'coffee_table',
            'information_event', 'interest_group', 'course', 'counselling', 'excursion', 'project', 'other')),
    target_groups         text[] NOT NULL DEFAULT '{}'
        CONSTRAINT activities_target_groups_known CHECK (target_groups <@ ARRAY['children', 'youth', 'families',
            'adults', 'seniors', 'all_generations']::text[]),
    languages             text[] NOT NULL DEFAULT '{}'
        CONSTRAINT activities_languages_codes CHECK (array_position(languages, NULL) IS NULL AND cardinality(languages) <= 30),
    accessibility_notes   text NOT NULL DEFAULT ''
        CONSTRAINT activities_accessibility_notes_length CHECK (char_length(accessibility_notes) <= 2000),
    free_of_charge        boolean NOT NULL DEFAULT true,
    cost_cents            integer,
    cost_note             text CONSTRAINT activities_cost_note_length CHECK (char_length(cost_note) <= 500),
    registration_required boolean NOT NULL DEFAULT false,
    participant_limit     integer,
    contact_name          text CONSTRAINT activities_contact_name_length CHECK (char_length(contact_name) <= 200),
    contact_email         text CONSTRAINT activities_contact_email_length CHECK (char_length(contact_email) <= 254),
    contact_phone         text CONSTRAINT activities_contact_phone_length CHECK (char_length(contact_phone) <= 40),
    status                text NOT NULL DEFAULT 'draft'
        CONSTRAINT activities_status_known CHECK (status IN ('draft', 'published', 'cancelled', 'archived')),
    -- The schedule: once (first_start .. + duration) or a recurrence rule in local time.
    schedule_kind         text NOT NULL CONSTRAINT activities_schedule_kind_known CHECK (schedule_kind IN ('once', 'recurring')),
    time_zone             text NOT NULL DEFAULT 'Europe/Berlin',
    first_start_local     timestamp NOT NULL,
    first_start           timestamptz NOT NULL,
    duration_minutes      integer NOT NULL CONSTRAINT activities_duration_positive CHECK (duration_minutes > 0),
    rrule                 text CONSTRAINT activities_rrule_length CHECK (char_length(rrule) <= 500),
    excluded_dates        date[] NOT NULL DEFAULT '{}',
    -- Occurrences exist up to here; the horizon task moves it forward.
    materialized_until    timestamptz NOT NULL,
    search                tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('german', title), 'A') || setweight(to_tsvector('german', description), 'B')
    ) STORED,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    version               integer NOT NULL DEFAULT 1,
    CONSTRAINT activities_cost_consistent CHECK (
        (free_of_charge AND cost_cents IS NULL) OR (NOT free_of_charge AND (cost_cents IS NULL OR cost_cents > 0))),
    CONSTRAINT activities_registration_consistent CHECK (
        (registration_required OR participant_limit IS NULL) AND (participant_limit IS NULL OR participant_limit > 0)),
    CONSTRAINT activities_rrule_for_recurring CHECK ((schedule_kind = 'recurring') = (rrule IS NOT NULL))
);

CREATE INDEX activities_centre_idx ON activities (centre_id);
CREATE INDEX activities_title_idx ON activities (title, id);
CREATE INDEX activities_search_idx ON activities USING gin (search);
CREATE INDEX activities_horizon_idx ON activities (materialized_until) WHERE schedule_kind = 'recurring';

CREATE TABLE occurrences (
    id                  uuid PRIMARY KEY,
    activity_id         uuid NOT NULL CONSTRAINT occurrences_activity_id_fkey REFERENCES activities (id) ON DELETE CASCADE,
    -- Where the schedule put it; with the activity it names the occurrence even once moved.
    original_start      timestamptz NOT NULL,
    starts_at           timestamptz NOT NULL,
    ends_at             timestamptz NOT NULL,
    moved               boolean NOT NULL DEFAULT false,
    -- No longer produced by the schedule, kept because shifts hang on it.
    detached            boolean NOT NULL DEFAULT false,
    cancelled           boolean NOT NULL DEFAULT false,
    cancellation_reason text CONSTRAINT occurrences_cancellation_reason_length CHECK (char_length(cancellation_reason) <= 500),
    note                text CONSTRAINT occurrences_note_length CHECK (char_length(note) <= 2000),
    participants        integer CONSTRAINT occurrences_participants_range CHECK (participants BETWEEN 0 AND 100000),
    -- iCalendar SEQUENCE: grows with every change a calendar shows.
    sequence            integer NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             integer NOT NULL DEFAULT 1,
    CONSTRAINT occurrences_activity_original_start_key UNIQUE (activity_id, original_start),
    CONSTRAINT occurrences_ends_after_start CHECK (ends_at > starts_at)
);

CREATE INDEX occurrences_starts_at_idx ON occurrences (starts_at, id);
CREATE INDEX occurrences_activity_starts_at_idx ON occurrences (activity_id, starts_at);

-- Volunteer shifts. Only what occurrences depend on so far: a shift keeps its occurrence
-- from being deleted when the schedule changes.
CREATE TABLE shifts (
    id            uuid PRIMARY KEY,
    centre_id     uuid NOT NULL CONSTRAINT shifts_centre_id_fkey REFERENCES centres (id) ON DELETE RESTRICT,
    occurrence_id uuid CONSTRAINT shifts_occurrence_id_fkey REFERENCES occurrences (id) ON DELETE RESTRICT,
    title         text NOT NULL CONSTRAINT shifts_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
    starts_at     timestamptz NOT NULL,
    ends_at       timestamptz NOT NULL,
    capacity      integer NOT NULL CONSTRAINT shifts_capacity_positive CHECK (capacity > 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 1,
    CONSTRAINT shifts_ends_after_start CHECK (ends_at > starts_at)
);

CREATE INDEX shifts_occurrence_idx ON shifts (occurrence_id);
CREATE INDEX shifts_centre_starts_at_idx ON shifts (centre_id, starts_at);
