-- Rule 8 beyond bookings: an activity's dates claim the room it uses, and a centre's
-- closures claim every room of the centre for the whole local day. All claims live in
-- `room_claims`, so one exclusion constraint decides between bookings, activities and
-- closures alike.

-- The room an activity uses; its dates to come claim it.
CREATE TABLE activity_rooms (
    activity_id uuid PRIMARY KEY CONSTRAINT activity_rooms_activity_id_fkey REFERENCES activities (id) ON DELETE CASCADE,
    room_id     uuid NOT NULL CONSTRAINT activity_rooms_room_id_fkey REFERENCES rooms (id) ON DELETE CASCADE,
    set_by      uuid CONSTRAINT activity_rooms_set_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    set_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_rooms_room_idx ON activity_rooms (room_id);

-- The dates that hold their activity's room. A date whose time was taken when it was
-- stored (a series growing into a time someone else holds) has no row here: staff see it.
CREATE TABLE occurrence_rooms (
    occurrence_id uuid PRIMARY KEY CONSTRAINT occurrence_rooms_occurrence_id_fkey REFERENCES occurrences (id) ON DELETE CASCADE,
    room_id       uuid NOT NULL CONSTRAINT occurrence_rooms_room_id_fkey REFERENCES rooms (id) ON DELETE CASCADE
);
CREATE INDEX occurrence_rooms_room_idx ON occurrence_rooms (room_id);

-- A claim comes from exactly one of: a confirmed booking date, a date of an activity, a
-- closure of the centre.
ALTER TABLE room_claims DROP CONSTRAINT room_claims_pkey;
ALTER TABLE room_claims ALTER COLUMN booking_date_id DROP NOT NULL;
ALTER TABLE room_claims
    ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT room_claims_pkey PRIMARY KEY,
    ADD COLUMN occurrence_id uuid CONSTRAINT room_claims_occurrence_id_fkey
        REFERENCES occurrence_rooms (occurrence_id) ON DELETE CASCADE,
    ADD COLUMN closure_centre_id uuid,
    ADD COLUMN closure_date date,
    ADD CONSTRAINT room_claims_closure_fkey FOREIGN KEY (closure_centre_id, closure_date)
        REFERENCES centre_closures (centre_id, date) ON DELETE CASCADE,
    ADD CONSTRAINT room_claims_one_source CHECK (
        num_nonnulls(booking_date_id, occurrence_id, closure_date) = 1
        AND (closure_centre_id IS NULL) = (closure_date IS NULL));
CREATE UNIQUE INDEX room_claims_booking_date_part_key ON room_claims (booking_date_id, part_id)
    WHERE booking_date_id IS NOT NULL;
CREATE UNIQUE INDEX room_claims_occurrence_part_key ON room_claims (occurrence_id, part_id)
    WHERE occurrence_id IS NOT NULL;
CREATE UNIQUE INDEX room_claims_closure_part_key ON room_claims (closure_centre_id, closure_date, part_id)
    WHERE closure_date IS NOT NULL;

-- The time a date of an activity holds its room: the date with the room's buffers.
CREATE FUNCTION room_blocked(room uuid, starts_at timestamptz, ends_at timestamptz) RETURNS tstzrange
LANGUAGE sql STABLE AS $$
    SELECT tstzrange(starts_at - make_interval(mins => r.setup_minutes),
                     ends_at + make_interval(mins => r.cleanup_minutes))
    FROM rooms r WHERE r.id = room
$$;

-- A date of an activity that holds a room claims its parts while it is not cancelled, and
-- its claims follow it when it moves.
CREATE FUNCTION occurrence_rooms_claim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM room_claims WHERE occurrence_id = OLD.occurrence_id;
    END IF;
    INSERT INTO room_claims (part_id, occurrence_id, during)
    SELECT p.part_id, NEW.occurrence_id, room_blocked(NEW.room_id, o.starts_at, o.ends_at)
    FROM occurrences o JOIN room_parts p ON p.room_id = NEW.room_id
    WHERE o.id = NEW.occurrence_id AND NOT o.cancelled;
    RETURN NEW;
END
$$;
CREATE TRIGGER occurrence_rooms_claim AFTER INSERT OR UPDATE ON occurrence_rooms
    FOR EACH ROW EXECUTE FUNCTION occurrence_rooms_claim();

CREATE FUNCTION occurrences_room_claim() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    held uuid;
BEGIN
    IF NEW.starts_at = OLD.starts_at AND NEW.ends_at = OLD.ends_at AND NEW.cancelled = OLD.cancelled THEN
        RETURN NEW;
    END IF;
    SELECT room_id INTO held FROM occurrence_rooms WHERE occurrence_id = NEW.id;
    IF held IS NULL THEN
        -- A date to come that did not get its activity's room (its time was taken when it
        -- was stored) takes it when it moves or is reinstated to a time where it is free.
        IF NOT NEW.cancelled AND NEW.ends_at > now() THEN
            INSERT INTO occurrence_rooms (occurrence_id, room_id)
            SELECT NEW.id, a.room_id FROM activity_rooms a
            WHERE a.activity_id = NEW.activity_id
            AND NOT EXISTS (SELECT 1 FROM room_parts p JOIN room_claims c ON c.part_id = p.part_id
                            WHERE p.room_id = a.room_id
                            AND c.during && room_blocked(a.room_id, NEW.starts_at, NEW.ends_at));
        END IF;
        RETURN NEW;
    END IF;
    DELETE FROM room_claims WHERE occurrence_id = NEW.id;
    IF NOT NEW.cancelled THEN
        INSERT INTO room_claims (part_id, occurrence_id, during)
        SELECT p.part_id, NEW.id, room_blocked(held, NEW.starts_at, NEW.ends_at)
        FROM room_parts p WHERE p.room_id = held;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER occurrences_room_claim AFTER UPDATE OF starts_at, ends_at, cancelled ON occurrences
    FOR EACH ROW EXECUTE FUNCTION occurrences_room_claim();

-- A closure to come claims every room of its own of the centre for the local day
-- (Europe/Berlin); past closures are history.
CREATE FUNCTION closure_day(day date) RETURNS tstzrange LANGUAGE sql STABLE AS $$
    SELECT tstzrange(day::timestamp AT TIME ZONE 'Europe/Berlin',
                     (day + 1)::timestamp AT TIME ZONE 'Europe/Berlin')
$$;

CREATE FUNCTION centre_closures_claim() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO room_claims (part_id, closure_centre_id, closure_date, during)
    SELECT r.id, NEW.centre_id, NEW.date, closure_day(NEW.date)
    FROM rooms r JOIN room_parts p ON p.room_id = r.id AND p.part_id = r.id
    WHERE r.centre_id = NEW.centre_id AND NEW.date >= (now() AT TIME ZONE 'Europe/Berlin')::date;
    RETURN NEW;
END
$$;
CREATE TRIGGER centre_closures_claim AFTER INSERT ON centre_closures
    FOR EACH ROW EXECUTE FUNCTION centre_closures_claim();

-- A new room of its own is closed on the centre's closures to come.
CREATE FUNCTION room_parts_closures() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.room_id = NEW.part_id THEN
        INSERT INTO room_claims (part_id, closure_centre_id, closure_date, during)
        SELECT NEW.part_id, c.centre_id, c.date, closure_day(c.date)
        FROM centre_closures c JOIN rooms r ON r.centre_id = c.centre_id
        WHERE r.id = NEW.part_id AND c.date >= (now() AT TIME ZONE 'Europe/Berlin')::date;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER room_parts_closures AFTER INSERT ON room_parts
    FOR EACH ROW EXECUTE FUNCTION room_parts_closures();

-- Closures already stored claim the rooms there are, where no booking confirmed before
-- closures took rooms holds them that day (staff see those dates in the room's calendar).
INSERT INTO room_claims (part_id, closure_centre_id, closure_date, during)
SELECT r.id, c.centre_id, c.date, closure_day(c.date)
FROM centre_closures c JOIN rooms r ON r.centre_id = c.centre_id
JOIN room_parts p ON p.room_id = r.id AND p.part_id = r.id
WHERE c.date >= (now() AT TIME ZONE 'Europe/Berlin')::date
AND NOT EXISTS (SELECT 1 FROM room_claims x WHERE x.part_id = r.id AND x.during && closure_day(c.date));

-- An operator's own system keeps its rooms: the scope rooms:write.
ALTER TABLE api_keys
    DROP CONSTRAINT api_keys_scopes_known,
    ADD CONSTRAINT api_keys_scopes_known CHECK (cardinality(scopes) BETWEEN 1 AND 8 AND scopes <@ ARRAY[
        'activities:write', 'shifts:write', 'signups:write', 'roster:read', 'webhooks:manage',
        'concerns:write', 'partners:write', 'rooms:write']::text[]);
