DELETE FROM concern_outcomes WHERE kind = 'room_booking';
ALTER TABLE concern_outcomes
    DROP CONSTRAINT concern_outcomes_once,
    ADD CONSTRAINT concern_outcomes_once
        UNIQUE NULLS NOT DISTINCT (concern_id, activity_id, occurrence_id, shift_id, outside_ref),
    DROP CONSTRAINT concern_outcomes_target_of_kind,
    ADD CONSTRAINT concern_outcomes_target_of_kind CHECK (
        (kind = 'activity') = (activity_id IS NOT NULL)
        AND (kind = 'occurrence') = (occurrence_id IS NOT NULL)
        AND (kind = 'shift') = (shift_id IS NOT NULL)
        AND (kind = 'outside') = (outside_ref IS NOT NULL)
        AND (outside_url IS NULL OR kind = 'outside')),
    DROP CONSTRAINT concern_outcomes_kind_known,
    ADD CONSTRAINT concern_outcomes_kind_known CHECK (kind IN ('activity', 'occurrence', 'shift', 'outside')),
    DROP COLUMN room_booking_id;
