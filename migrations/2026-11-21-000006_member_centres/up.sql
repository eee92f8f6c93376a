-- A coordinator may be limited to named centres of their operator. No rows: all its centres.

-- Lets a reference name a centre together with the operator it must belong to.
ALTER TABLE centres ADD CONSTRAINT centres_id_operator_key UNIQUE (id, operator_id);

CREATE TABLE operator_member_centres (
    operator_id uuid NOT NULL,
    user_id     uuid NOT NULL,
    centre_id   uuid NOT NULL,
    CONSTRAINT operator_member_centres_pkey PRIMARY KEY (operator_id, user_id, centre_id),
    CONSTRAINT operator_member_centres_member_fkey FOREIGN KEY (operator_id, user_id)
        REFERENCES operator_members (operator_id, user_id) ON DELETE CASCADE,
    -- The centre must be one of the member's operator.
    CONSTRAINT operator_member_centres_centre_fkey FOREIGN KEY (centre_id, operator_id)
        REFERENCES centres (id, operator_id) ON DELETE CASCADE
);
