-- Rooms of a centre that groups, partners and residents book (Rule 8). A room is made of
-- bookable parts: a room of its own is one part (its id); a room made of others (a Saal that
-- is rooms A and B together) holds their parts. Booking the Saal claims A and B, booking A
-- claims A: claims of one part never overlap, and an exclusion constraint decides.
CREATE TABLE rooms (
    id                    uuid PRIMARY KEY,
    centre_id             uuid NOT NULL CONSTRAINT rooms_centre_id_fkey REFERENCES centres (id) ON DELETE CASCADE,
    -- The centre's operator, so that rights are checked without a join.
    operator_id           uuid NOT NULL CONSTRAINT rooms_operator_id_fkey REFERENCES operators (id) ON DELETE CASCADE,
    name                  text NOT NULL CONSTRAINT rooms_name_length CHECK (char_length(name) BETWEEN 1 AND 120),
    description           text NOT NULL DEFAULT '' CONSTRAINT rooms_description_length CHECK (char_length(description) <= 4000),
    -- How many people fit, per layout; NULL where the layout is not offered.
    capacity_seated       integer CONSTRAINT rooms_capacity_seated_range CHECK (capacity_seated BETWEEN 1 AND 10000),
    capacity_tables       integer CONSTRAINT rooms_capacity_tables_range CHECK (capacity_tables BETWEEN 1 AND 10000),
    capacity_standing     integer CONSTRAINT rooms_capacity_standing_range CHECK (capacity_standing BETWEEN 1 AND 10000),
    step_free             boolean NOT NULL DEFAULT false,
    accessible_toilet     boolean NOT NULL DEFAULT false,
    hearing_loop          boolean NOT NULL DEFAULT false,
    equipment             text[] NOT NULL DEFAULT '{}'
        CONSTRAINT rooms_equipment_bounded CHECK (cardinality(equipment) <= 30 AND array_position(equipment, NULL) IS NULL),
    -- Who may book: the operator's staff only, also partners' staff, or also residents (who
    -- always ask; staff decide).
    bookable_by           text NOT NULL DEFAULT 'staff' CONSTRAINT rooms_bookable_by_known CHECK (bookable_by IN ('staff', 'partners', 'residents')),
    needs_approval        boolean NOT NULL DEFAULT true,
    min_duration_minutes  integer NOT NULL DEFAULT 30,
    max_duration_minutes  integer NOT NULL DEFAULT 720,
    slot_minutes          integer NOT NULL DEFAULT 15 CONSTRAINT rooms_slot_minutes_range CHECK (slot_minutes BETWEEN 5 AND 240),
    min_notice_hours      integer NOT NULL DEFAULT 0 CONSTRAINT rooms_min_notice_range CHECK (min_notice_hours BETWEEN 0 AND 8760),
    max_notice_days       integer NOT NULL DEFAULT 365 CONSTRAINT rooms_max_notice_range CHECK (max_notice_days BETWEEN 1 AND 730),
    setup_minutes         integer NOT NULL DEFAULT 0 CONSTRAINT rooms_setup_range CHECK (setup_minutes BETWEEN 0 AND 240),
    cleanup_minutes       integer NOT NULL DEFAULT 0 CONSTRAINT rooms_cleanup_range CHECK (cleanup_minutes BETWEEN 0 AND 240),
    -- How many dates still to come one person may hold here (requested or confirmed), booking
    -- for herself, for a partner or for the operator.
    max_future_dates      integer NOT NULL DEFAULT 20 CONSTRAINT rooms_max_future_range CHECK (max_future_dates BETWEEN 1 AND 1000),
    house_rules_url       text CONSTRAINT rooms_house_rules_url_length CHECK (char_length(house_rules_url) BETWEEN 1 AND 500),
    fee_notes             text NOT NULL DEFAULT '' CONSTRAINT rooms_fee_notes_length CHECK (char_length(fee_notes) <= 1000),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    version               integer NOT NULL DEFAULT 1,
    CONSTRAINT rooms_duration_range CHECK (min_duration_minutes BETWEEN 5 AND max_duration_minutes
                                           AND max_duration_minutes <= 10080)
);
CREATE INDEX rooms_centre_idx ON rooms (centre_id, name);
CREATE INDEX rooms_operator_idx ON rooms (operator_id);

-- The parts each room claims: a room of its own claims itself, a room made of others claims
-- theirs. Parts are rooms of their own of the same centre.
CREATE TABLE room_parts (
    room_id uuid NOT NULL CONSTRAINT room_parts_room_id_fkey REFERENCES rooms (id) ON DELETE CASCADE,
    part_id uuid NOT NULL CONSTRAINT room_parts_part_id_fkey REFERENCES rooms (id) ON DELETE CASCADE,
    CONSTRAINT room_parts_pkey PRIMARY KEY (room_id, part_id)
);
CREATE INDEX room_parts_part_idx ON room_parts (part_id);

-- A booking: once, or a series by RRULE in the centre's local time; each date is decided on
-- its own.
CREATE TABLE room_bookings (
    id              uuid PRIMARY KEY,
    room_id         uuid NOT NULL CONSTRAINT room_bookings_room_id_fkey REFERENCES rooms (id) ON DELETE CASCADE,
    -- Who the room is booked for: the room's operator itself, a partner, or a resident.
    booker_kind     text NOT NULL CONSTRAINT room_bookings_booker_kind_known CHECK (booker_kind IN ('operator', 'partner', 'account')),
    partner_id      uuid CONSTRAINT room_bookings_partner_id_fkey REFERENCES partners (id) ON DELETE CASCADE,
    -- The person who asked; the booker for `account` (erased: NULL, the counts stay).
    requested_by    uuid CONSTRAINT room_bookings_requested_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    purpose         text NOT NULL CONSTRAINT room_bookings_purpose_length CHECK (char_length(purpose) BETWEEN 1 AND 1000),
    expected_people integer NOT NULL CONSTRAINT room_bookings_expected_people_range CHECK (expected_people BETWEEN 1 AND 10000),
    layout          text NOT NULL CONSTRAINT room_bookings_layout_known CHECK (layout IN ('seated', 'tables', 'standing')),
    -- A title the booker agrees to show publicly; without it the booking is private (busy only).
    public_title    text CONSTRAINT room_bookings_public_title_length CHECK (char_length(public_title) BETWEEN 1 AND 200),
    recurrence      text CONSTRAINT room_bookings_recurrence_length CHECK (char_length(recurrence) BETWEEN 1 AND 500),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT room_bookings_partner_named CHECK ((booker_kind = 'partner') = (partner_id IS NOT NULL))
);
CREATE INDEX room_bookings_room_idx ON room_bookings (room_id);
CREATE INDEX room_bookings_requested_by_idx ON room_bookings (requested_by) WHERE requested_by IS NOT NULL;
CREATE INDEX room_bookings_partner_idx ON room_bookings (partner_id) WHERE partner_id IS NOT NULL;

CREATE TABLE room_booking_dates (
    id          uuid PRIMARY KEY,
    booking_id  uuid NOT NULL CONSTRAINT room_booking_dates_booking_id_fkey REFERENCES room_bookings (id) ON DELETE CASCADE,
    room_id     uuid NOT NULL CONSTRAINT room_booking_dates_room_id_fkey REFERENCES rooms (id) ON DELETE CASCADE,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    -- The time the room is taken: the booked time with the room's set-up and clean-up buffers.
    blocked     tstzrange NOT NULL,
    status      text NOT NULL CONSTRAINT room_booking_dates_status_known
        CHECK (status IN ('requested', 'confirmed', 'declined', 'cancelled')),
    decided_by  uuid CONSTRAINT room_booking_dates_decided_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    decided_at  timestamptz,
    note        text CONSTRAINT room_booking_dates_note_length CHECK (char_length(note) BETWEEN 1 AND 500),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT room_booking_dates_order CHECK (ends_at > starts_at),
    CONSTRAINT room_booking_dates_blocked_covers CHECK (blocked @> tstzrange(starts_at, ends_at))
);
CREATE INDEX room_booking_dates_booking_idx ON room_booking_dates (booking_id, starts_at);
CREATE INDEX room_booking_dates_requested_idx ON room_booking_dates (room_id, created_at) WHERE status = 'requested';
CREATE INDEX room_booking_dates_room_time_idx ON room_booking_dates USING gist (room_id, blocked)
    WHERE status IN ('requested', 'confirmed');

-- Rule 8: what is claimed. A confirmed date claims every part of its room; no part is ever
-- claimed twice for overlapping times.
CREATE TABLE room_claims (
    part_id         uuid NOT NULL CONSTRAINT room_claims_part_id_fkey REFERENCES rooms (id) ON DELETE CASCADE,
    booking_date_id uuid NOT NULL CONSTRAINT room_claims_booking_date_id_fkey REFERENCES room_booking_dates (id) ON DELETE CASCADE,
    during          tstzrange NOT NULL,
    CONSTRAINT room_claims_pkey PRIMARY KEY (booking_date_id, part_id),
    CONSTRAINT room_claims_no_overlap EXCLUDE USING gist (part_id WITH =, during WITH &&)
);

-- A date claims its parts while it is confirmed, and gives them back when it is not: the
-- claims follow the status in the statement that changes it.
CREATE FUNCTION room_booking_dates_claim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.status = 'confirmed'
       AND (NEW.status <> 'confirmed' OR NEW.blocked <> OLD.blocked) THEN
        DELETE FROM room_claims WHERE booking_date_id = OLD.id;
    END IF;
    IF NEW.status = 'confirmed'
       AND (TG_OP = 'INSERT' OR OLD.status <> 'confirmed' OR NEW.blocked <> OLD.blocked) THEN
        INSERT INTO room_claims (part_id, booking_date_id, during)
        SELECT part_id, NEW.id, NEW.blocked FROM room_parts WHERE room_id = NEW.room_id;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER room_booking_dates_claim AFTER INSERT OR UPDATE OF status, blocked ON room_booking_dates
    FOR EACH ROW EXECUTE FUNCTION room_booking_dates_claim();
