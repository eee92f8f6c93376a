-- What came of a concern may be a room booked for it: residents who asked for a place to meet
-- got a room, a partner's evening for the neighbours took place in the Bürgerhaus.
ALTER TABLE concern_outcomes
    ADD COLUMN room_booking_id uuid
        CONSTRAINT concern_outcomes_room_booking_id_fkey REFERENCES room_bookings (id) ON DELETE CASCADE,
    DROP CONSTRAINT concern_outcomes_kind_known,
    ADD CONSTRAINT concern_outcomes_kind_known
        CHECK (kind IN ('activity', 'occurrence', 'shift', 'room_booking', 'outside')),
    DROP CONSTRAINT concern_outcomes_target_of_kind,
    ADD CONSTRAINT concern_outcomes_target_of_kind CHECK (
        (kind = 'activity') = (activity_id IS NOT NULL)
        AND (kind = 'occurrence') = (occurrence_id IS NOT NULL)
        AND (kind = 'shift') = (shift_id IS NOT NULL)
        AND (kind = 'room_booking') = (room_booking_id IS NOT NULL)
        AND (kind = 'outside') = (outside_ref IS NOT NULL)
        AND (outside_url IS NULL OR kind = 'outside')),
    DROP CONSTRAINT concern_outcomes_once,
    ADD CONSTRAINT concern_outcomes_once
        UNIQUE NULLS NOT DISTINCT (concern_id, activity_id, occurrence_id, shift_id, room_booking_id, outside_ref);
CREATE INDEX concern_outcomes_room_booking_idx ON concern_outcomes (room_booking_id) WHERE room_booking_id IS NOT NULL;
