-- Volunteering: qualifications and their verification, shifts in full, sign-ups that never
-- overbook, and the outbox that tells others what happened.

CREATE TABLE qualification_types (
    id              uuid PRIMARY KEY,
    -- Catalogue entries have a code; an operator's own ones have its id instead.
    code            text UNIQUE,
    operator_id     uuid CONSTRAINT qualification_types_operator_id_fkey REFERENCES operators (id) ON DELETE CASCADE,
    name            text NOT NULL CONSTRAINT qualification_types_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    -- How long a verification counts from the issue date, unless staff say otherwise.
    validity_months integer CONSTRAINT qualification_types_validity_range CHECK (validity_months BETWEEN 1 AND 1200),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT qualification_types_catalogue_or_operator CHECK ((code IS NULL) <> (operator_id IS NULL))
);

INSERT INTO qualification_types (id, code, name, validity_months) VALUES
    ('00000000-0000-7000-8000-000000000001', 'extended_police_certificate',
        'Erweitertes Führungszeugnis (extended police certificate)', 60),
    ('00000000-0000-7000-8000-000000000002', 'food_hygiene',
        'Belehrung nach § 43 IfSG (food hygiene instruction)', NULL),
    ('00000000-0000-7000-8000-000000000003', 'first_aid',
        'Erste-Hilfe-Kurs (first aid)', 24);

-- What a volunteer declared, and whether staff inspected it. Never a copy of the document.
CREATE TABLE volunteer_qualifications (
    id                   uuid PRIMARY KEY,
    user_id              uuid NOT NULL CONSTRAINT volunteer_qualifications_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    type_id              uuid NOT NULL CONSTRAINT volunteer_qualifications_type_id_fkey REFERENCES qualification_types (id) ON DELETE CASCADE,
    issued_on            date NOT NULL,
    inspected_on         date,
    inspected_by         uuid CONSTRAINT volunteer_qualifications_inspected_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    inspected_for        uuid CONSTRAINT volunteer_qualifications_inspected_for_fkey REFERENCES operators (id) ON DELETE SET NULL,
    -- The day it stops counting; NULL while not inspected, or for ones that do not expire.
    expires_on           date,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    version              integer NOT NULL DEFAULT 1,
    CONSTRAINT volunteer_qualifications_user_type_key UNIQUE (user_id, type_id),
    CONSTRAINT volunteer_qualifications_expires_after_issue CHECK (expires_on IS NULL OR expires_on > issued_on),
    CONSTRAINT volunteer_qualifications_inspection_complete CHECK (inspected_on IS NOT NULL OR inspected_by IS NULL)
);

ALTER TABLE shifts
    ADD COLUMN description     text NOT NULL DEFAULT ''
        CONSTRAINT shifts_description_length CHECK (char_length(description) <= 4000),
    ADD COLUMN min_age_note    text CONSTRAINT shifts_min_age_note_length CHECK (char_length(min_age_note) <= 200),
    ADD COLUMN status          text NOT NULL DEFAULT 'open' CONSTRAINT shifts_status_known CHECK (status IN ('open', 'cancelled')),
    -- Kept in step with the confirmed sign-ups in the same transaction; the check is the last
    -- line of defence against overbooking.
    ADD COLUMN confirmed_count integer NOT NULL DEFAULT 0,
    -- What helps on this shift, from the skills catalogue or free tags: shifts are found by it.
    ADD COLUMN skills          text[] NOT NULL DEFAULT '{}'
        CONSTRAINT shifts_skills_size CHECK (cardinality(skills) <= 20),
    ADD CONSTRAINT shifts_confirmed_within_capacity CHECK (confirmed_count BETWEEN 0 AND capacity);

CREATE INDEX shifts_starts_at_idx ON shifts (starts_at, id) WHERE status = 'open';

CREATE TABLE shift_qualifications (
    shift_id uuid NOT NULL CONSTRAINT shift_qualifications_shift_id_fkey REFERENCES shifts (id) ON DELETE CASCADE,
    type_id  uuid NOT NULL CONSTRAINT shift_qualifications_type_id_fkey REFERENCES qualification_types (id) ON DELETE RESTRICT,
    CONSTRAINT shift_qualifications_pkey PRIMARY KEY (shift_id, type_id)
);

CREATE TABLE signups (
    id                uuid PRIMARY KEY,
    shift_id          uuid NOT NULL CONSTRAINT signups_shift_id_fkey REFERENCES shifts (id) ON DELETE CASCADE,
    user_id           uuid NOT NULL CONSTRAINT signups_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    status            text NOT NULL CONSTRAINT signups_status_known
        CHECK (status IN ('confirmed', 'waitlisted', 'cancelled', 'attended', 'no_show')),
    -- The shift's times, so that the database can refuse overlapping confirmed sign-ups.
    starts_at         timestamptz NOT NULL,
    ends_at           timestamptz NOT NULL,
    -- Waitlist order: first come, first promoted.
    queued_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    signed_up_by      uuid CONSTRAINT signups_signed_up_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    confirmed_at      timestamptz,
    cancelled_at      timestamptz,
    cancelled_by      uuid CONSTRAINT signups_cancelled_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    late_cancellation boolean NOT NULL DEFAULT false,
    checked_in_at     timestamptz,
    minutes_worked    integer CONSTRAINT signups_minutes_worked_range CHECK (minutes_worked BETWEEN 0 AND 24 * 60),
    -- When the row was written (not when its transaction began): the order of arrival.
    created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    version           integer NOT NULL DEFAULT 1,
    CONSTRAINT signups_ends_after_start CHECK (ends_at > starts_at),
    -- Rule 2: never two confirmed sign-ups of one volunteer whose times overlap (attended
    -- ones count: a volunteer at work cannot be confirmed elsewhere at that time).
    CONSTRAINT signups_no_overlap EXCLUDE USING gist (
        user_id WITH =, tstzrange(starts_at, ends_at) WITH &&
    ) WHERE (status IN ('confirmed', 'attended'))
);

-- One live sign-up per volunteer and shift.
CREATE UNIQUE INDEX signups_one_live_per_shift ON signups (shift_id, user_id)
    WHERE status IN ('confirmed', 'waitlisted');
CREATE INDEX signups_waitlist_idx ON signups (shift_id, queued_at) WHERE status = 'waitlisted';
CREATE INDEX signups_user_idx ON signups (user_id, starts_at);

-- Rule 6: every change others rely on is written here in the same transaction.
CREATE TABLE outbox_events (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL,
    operator_id  uuid,
    subject_id   uuid NOT NULL,
    payload      text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    published_at timestamptz
);

CREATE INDEX outbox_events_unpublished_idx ON outbox_events (created_at) WHERE published_at IS NULL;

-- What a volunteer tells about themselves; one row per account, made on first change.
CREATE TABLE volunteer_profiles (
    user_id        uuid PRIMARY KEY CONSTRAINT volunteer_profiles_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    phone          text CONSTRAINT volunteer_profiles_phone_length CHECK (char_length(phone) <= 40),
    languages      text[] NOT NULL DEFAULT '{}'
        CONSTRAINT volunteer_profiles_languages_size CHECK (cardinality(languages) <= 30),
    skills         text[] NOT NULL DEFAULT '{}'
        CONSTRAINT volunteer_profiles_skills_size CHECK (cardinality(skills) <= 30),
    district_ids   uuid[] NOT NULL DEFAULT '{}'
        CONSTRAINT volunteer_profiles_districts_size CHECK (cardinality(district_ids) <= 30),
    availability   text NOT NULL DEFAULT ''
        CONSTRAINT volunteer_profiles_availability_length CHECK (char_length(availability) <= 2000),
    contact_by     text NOT NULL DEFAULT 'email'
        CONSTRAINT volunteer_profiles_contact_by_known CHECK (contact_by IN ('email', 'phone', 'sms')),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    version        integer NOT NULL DEFAULT 1
);

-- A volunteer's secret calendar feed address; only its hash is kept. One per account.
CREATE TABLE calendar_feeds (
    user_id    uuid PRIMARY KEY CONSTRAINT calendar_feeds_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL CONSTRAINT calendar_feeds_token_hash_key UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A retried request with the same key gets the first answer.
CREATE TABLE idempotency_keys (
    user_id      uuid NOT NULL CONSTRAINT idempotency_keys_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    key          text NOT NULL CONSTRAINT idempotency_keys_key_length CHECK (char_length(key) BETWEEN 1 AND 200),
    request_hash bytea NOT NULL,
    status       integer NOT NULL,
    body         text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, key)
);
