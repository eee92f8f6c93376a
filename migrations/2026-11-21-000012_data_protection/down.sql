DROP TABLE audit_events;
DROP INDEX volunteer_qualifications_expires_on_idx;
DROP INDEX volunteer_qualifications_inspected_by_idx;
DROP INDEX signups_retention_idx;
DROP INDEX signups_cancelled_by_idx;
DROP INDEX signups_signed_up_by_idx;
DELETE FROM signups WHERE user_id IS NULL;
ALTER TABLE signups
    DROP CONSTRAINT signups_anonymised_has_no_user,
    DROP CONSTRAINT signups_user_id_fkey,
    ADD CONSTRAINT signups_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    ALTER COLUMN user_id SET NOT NULL,
    DROP COLUMN anonymised_at;
