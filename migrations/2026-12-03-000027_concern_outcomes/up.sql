-- What came of a concern: an activity, one date of an activity, a shift, or something outside
-- Quartier (a number in the town's defect reporting system, a council decision). Linked by
-- those who answer the concern; gone with what it points at.
CREATE TABLE concern_outcomes (
    id            uuid PRIMARY KEY,
    concern_id    uuid NOT NULL CONSTRAINT concern_outcomes_concern_id_fkey REFERENCES concerns (id) ON DELETE CASCADE,
    kind          text NOT NULL CONSTRAINT concern_outcomes_kind_known CHECK (kind IN ('activity', 'occurrence', 'shift', 'outside')),
    activity_id   uuid CONSTRAINT concern_outcomes_activity_id_fkey REFERENCES activities (id) ON DELETE CASCADE,
    occurrence_id uuid CONSTRAINT concern_outcomes_occurrence_id_fkey REFERENCES occurrences (id) ON DELETE CASCADE,
    shift_id      uuid CONSTRAINT concern_outcomes_shift_id_fkey REFERENCES shifts (id) ON DELETE CASCADE,
    -- The outside system's own reference, and where to read it.
    outside_ref   text CONSTRAINT concern_outcomes_outside_ref_length CHECK (char_length(outside_ref) BETWEEN 1 AND 200),
    outside_url   text CONSTRAINT concern_outcomes_outside_url_web CHECK (outside_url ~ '^https?://' AND char_length(outside_url) <= 500),
    -- What came of it, in words.
    note          text CONSTRAINT concern_outcomes_note_length CHECK (char_length(note) BETWEEN 1 AND 2000),
    linked_by     uuid CONSTRAINT concern_outcomes_linked_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- Exactly the target its kind names.
    CONSTRAINT concern_outcomes_target_of_kind CHECK (
        (kind = 'activity') = (activity_id IS NOT NULL)
        AND (kind = 'occurrence') = (occurrence_id IS NOT NULL)
        AND (kind = 'shift') = (shift_id IS NOT NULL)
        AND (kind = 'outside') = (outside_ref IS NOT NULL)
        AND (outside_url IS NULL OR kind = 'outside')),
    -- Each target once per concern.
    CONSTRAINT concern_outcomes_once UNIQUE NULLS NOT DISTINCT (concern_id, activity_id, occurrence_id, shift_id, outside_ref)
);
CREATE INDEX concern_outcomes_activity_idx ON concern_outcomes (activity_id) WHERE activity_id IS NOT NULL;
CREATE INDEX concern_outcomes_occurrence_idx ON concern_outcomes (occurrence_id) WHERE occurrence_id IS NOT NULL;
CREATE INDEX concern_outcomes_shift_idx ON concern_outcomes (shift_id) WHERE shift_id IS NOT NULL;
CREATE INDEX concern_outcomes_linked_by_idx ON concern_outcomes (linked_by) WHERE linked_by IS NOT NULL;
