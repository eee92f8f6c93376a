-- Data protection: sign-ups that outlive the link to their volunteer, and the audit trail
-- of who read or changed personal data.

-- A sign-up whose volunteer erased their account, or whose personal details reached the end
-- of their retention period, keeps its shift, status and hours for statistics but no longer
-- names anyone. Anonymising is always explicit: deleting a user who still has sign-ups fails.
ALTER TABLE signups
    ADD COLUMN anonymised_at timestamptz,
    ALTER COLUMN user_id DROP NOT NULL,
    DROP CONSTRAINT signups_user_id_fkey,
    ADD CONSTRAINT signups_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id),
    ADD CONSTRAINT signups_anonymised_has_no_user CHECK ((user_id IS NULL) = (anonymised_at IS NOT NULL));

-- Erasure and retention find a person's traces through these.
CREATE INDEX signups_signed_up_by_idx ON signups (signed_up_by) WHERE signed_up_by IS NOT NULL;
CREATE INDEX signups_cancelled_by_idx ON signups (cancelled_by) WHERE cancelled_by IS NOT NULL;
CREATE INDEX signups_retention_idx ON signups (ends_at) WHERE user_id IS NOT NULL;
CREATE INDEX volunteer_qualifications_inspected_by_idx ON volunteer_qualifications (inspected_by)
    WHERE inspected_by IS NOT NULL;
CREATE INDEX volunteer_qualifications_expires_on_idx ON volunteer_qualifications (expires_on)
    WHERE expires_on IS NOT NULL;

-- Who read or changed personal data: one row per action, naming the principal, the object
-- and the people it was about (`subjects`), never their names. No foreign keys: the trail
-- outlives the accounts and keys it mentions.
CREATE TABLE audit_events (
    id            uuid PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_user_id uuid,
    actor_key_id  uuid,
    action        text NOT NULL CONSTRAINT audit_events_action_shape CHECK (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
    object_type   text NOT NULL CONSTRAINT audit_events_object_type_shape CHECK (object_type ~ '^[a-z_]+$'),
    object_id     uuid,
    operator_id   uuid,
    subjects      uuid[] NOT NULL DEFAULT '{}',
    details       text NOT NULL DEFAULT '{}',
    CONSTRAINT audit_events_one_actor CHECK (actor_user_id IS NULL OR actor_key_id IS NULL)
);

CREATE INDEX audit_events_at_idx ON audit_events (at, id);
CREATE INDEX audit_events_subjects_idx ON audit_events USING gin (subjects);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_user_id, at) WHERE actor_user_id IS NOT NULL;
