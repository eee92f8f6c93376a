DELETE FROM standing_dates WHERE outcome IN ('offered', 'declined', 'expired');
ALTER TABLE standing_dates
    DROP CONSTRAINT standing_dates_offered,
    DROP COLUMN answered_at,
    DROP COLUMN answer_by,
    DROP CONSTRAINT standing_dates_outcome,
    ADD CONSTRAINT standing_dates_outcome CHECK (
        outcome IN ('confirmed', 'waitlisted', 'blocked_out', 'signed_up_already', 'overlapping',
                    'qualification_missing', 'workload_limit'));
UPDATE shifts s SET held_count = held_count - (
    SELECT count(*) FROM guest_holds h WHERE h.shift_id = s.id AND h.holds_place AND h.standing_signup_id IS NOT NULL)
WHERE EXISTS (SELECT 1 FROM guest_holds h WHERE h.shift_id = s.id AND h.standing_signup_id IS NOT NULL);
DELETE FROM guest_holds WHERE standing_signup_id IS NOT NULL;
DROP INDEX guest_holds_standing;
ALTER TABLE guest_holds DROP COLUMN standing_signup_id;
ALTER TABLE standing_signups DROP COLUMN answer_hours, DROP COLUMN mode;
