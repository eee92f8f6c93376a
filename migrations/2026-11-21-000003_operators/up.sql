-- Operators (Träger) and their staff.

CREATE TABLE operators (
    id            uuid PRIMARY KEY,
    name          text NOT NULL
        CONSTRAINT operators_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    kind          text NOT NULL
        CONSTRAINT operators_kind_known CHECK (kind IN
            ('municipality', 'housing_company', 'church_or_welfare', 'association', 'other')),
    description   text NOT NULL DEFAULT ''
        CONSTRAINT operators_description_length CHECK (char_length(description) <= 4000),
    website       text
        CONSTRAINT operators_website_format CHECK (website ~ '^https?://' AND char_length(website) <= 500),
    contact_email text
        CONSTRAINT operators_contact_email_length CHECK (char_length(contact_email) <= 254),
    contact_phone text
        CONSTRAINT operators_contact_phone_length CHECK (char_length(contact_phone) <= 40),
    status        text NOT NULL DEFAULT 'active'
        CONSTRAINT operators_status_known CHECK (status IN ('active', 'inactive')),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 1
);

CREATE INDEX operators_name_idx ON operators (name, id);

-- A user's role in an operator: operator_admin manages members, centres and everything below;
-- coordinator manages activities, shifts and rosters.
CREATE TABLE operator_members (
    operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL CONSTRAINT operator_members_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    role        text NOT NULL
        CONSTRAINT operator_members_role_known CHECK (role IN ('operator_admin', 'coordinator')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT operator_members_pkey PRIMARY KEY (operator_id, user_id)
);

-- "Which operators is this user staff of?" on every staff request.
CREATE INDEX operator_members_user_idx ON operator_members (user_id);
