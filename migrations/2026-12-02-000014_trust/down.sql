DROP TABLE operator_volunteers;
DROP VIEW accepted_verifications;
DROP TABLE operator_trusts;

ALTER TABLE volunteer_qualifications
    ADD COLUMN inspected_on  date,
    ADD COLUMN inspected_by  uuid CONSTRAINT volunteer_qualifications_inspected_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    ADD COLUMN inspected_for uuid CONSTRAINT volunteer_qualifications_inspected_for_fkey REFERENCES operators (id) ON DELETE SET NULL,
    ADD COLUMN expires_on    date,
    ADD CONSTRAINT volunteer_qualifications_inspection_complete CHECK (inspected_on IS NOT NULL OR inspected_by IS NULL);

-- One row per volunteer and type again: the latest verification of any operator.
UPDATE volunteer_qualifications q
SET inspected_on = v.inspected_on, inspected_by = v.inspected_by, inspected_for = v.operator_id,
    expires_on = v.expires_on
FROM (
    SELECT DISTINCT ON (user_id, type_id) *
    FROM qualification_verifications
    ORDER BY user_id, type_id, updated_at DESC
) v
WHERE v.user_id = q.user_id AND v.type_id = q.type_id AND v.issued_on = q.issued_on;

CREATE INDEX volunteer_qualifications_inspected_by_idx ON volunteer_qualifications (inspected_by);
CREATE INDEX volunteer_qualifications_expires_on_idx ON volunteer_qualifications (expires_on);

DROP TABLE qualification_verifications;
