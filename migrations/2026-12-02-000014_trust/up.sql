-- Trust, round two. A verification belongs to the operator whose staff inspected the
-- document: one per volunteer, type and operator, and no operator can change another's. A
-- shift accepts the verifications of its own operator and of the operators that operator
-- names as trusted. Volunteers name the operators they help: their staff may then sign them
-- up and inspect the documents they declare.

CREATE TABLE qualification_verifications (
    id           uuid PRIMARY KEY,
    user_id      uuid NOT NULL
        CONSTRAINT qualification_verifications_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    type_id      uuid NOT NULL
        CONSTRAINT qualification_verifications_type_id_fkey REFERENCES qualification_types (id) ON DELETE CASCADE,
    operator_id  uuid NOT NULL
        CONSTRAINT qualification_verifications_operator_id_fkey REFERENCES operators (id) ON DELETE CASCADE,
    -- The date on the document shown.
    issued_on    date NOT NULL,
    inspected_on date NOT NULL,
    inspected_by uuid
        CONSTRAINT qualification_verifications_inspected_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    -- The day it stops counting; NULL for types that do not expire.
    expires_on   date,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      integer NOT NULL DEFAULT 1,
    CONSTRAINT qualification_verifications_one_per_operator UNIQUE (user_id, type_id, operator_id),
    CONSTRAINT qualification_verifications_expires_after_issue
        CHECK (expires_on IS NULL OR expires_on > issued_on),
    CONSTRAINT qualification_verifications_inspected_after_issue CHECK (inspected_on >= issued_on)
);

CREATE INDEX qualification_verifications_operator_id_idx ON qualification_verifications (operator_id);
CREATE INDEX qualification_verifications_inspected_by_idx ON qualification_verifications (inspected_by)
    WHERE inspected_by IS NOT NULL;
CREATE INDEX qualification_verifications_expires_on_idx ON qualification_verifications (expires_on)
    WHERE expires_on IS NOT NULL;

-- Each inspection recorded so far was made for one operator: it stays that operator's.
INSERT INTO qualification_verifications
    (id, user_id, type_id, operator_id, issued_on, inspected_on, inspected_by, expires_on,
     created_at, updated_at, version)
SELECT id, user_id, type_id, inspected_for, issued_on, GREATEST(inspected_on, issued_on),
       inspected_by, expires_on, created_at, updated_at, version
FROM volunteer_qualifications
WHERE inspected_on IS NOT NULL AND inspected_for IS NOT NULL;

-- What remains of a qualification row is the volunteer's own declaration.
ALTER TABLE volunteer_qualifications
    DROP CONSTRAINT volunteer_qualifications_inspection_complete,
    DROP COLUMN inspected_on,
    DROP COLUMN inspected_by,
    DROP COLUMN inspected_for,
    DROP COLUMN expires_on;

-- An operator accepts the verifications of the operators it names here.
CREATE TABLE operator_trusts (
    operator_id uuid NOT NULL
        CONSTRAINT operator_trusts_operator_id_fkey REFERENCES operators (id) ON DELETE CASCADE,
    trusted_id  uuid NOT NULL
        CONSTRAINT operator_trusts_trusted_id_fkey REFERENCES operators (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  uuid CONSTRAINT operator_trusts_created_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT operator_trusts_pkey PRIMARY KEY (operator_id, trusted_id),
    CONSTRAINT operator_trusts_not_itself CHECK (operator_id <> trusted_id)
);

CREATE INDEX operator_trusts_trusted_id_idx ON operator_trusts (trusted_id);
CREATE INDEX operator_trusts_created_by_idx ON operator_trusts (created_by) WHERE created_by IS NOT NULL;

-- The verifications each operator accepts: its own, and those of the operators it trusts.
-- Every check of a shift's required qualifications reads this view.
CREATE VIEW accepted_verifications AS
    SELECT v.id, v.user_id, v.type_id, v.expires_on, v.operator_id AS accepted_by
    FROM qualification_verifications v
    UNION ALL
    SELECT v.id, v.user_id, v.type_id, v.expires_on, t.operator_id AS accepted_by
    FROM qualification_verifications v
    JOIN operator_trusts t ON t.trusted_id = v.operator_id;

-- The operators a volunteer helps, by her own choice.
CREATE TABLE operator_volunteers (
    operator_id uuid NOT NULL
        CONSTRAINT operator_volunteers_operator_id_fkey REFERENCES operators (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL
        CONSTRAINT operator_volunteers_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    joined_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT operator_volunteers_pkey PRIMARY KEY (operator_id, user_id)
);

CREATE INDEX operator_volunteers_user_id_idx ON operator_volunteers (user_id);
