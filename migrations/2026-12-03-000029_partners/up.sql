-- The partner network (Netzwerkpartner): Vereine, religious communities, social
-- institutions, schools, Kitas, units of the town's administration, housing companies and
-- others working in the districts. Contact is by role (a mailbox, a phone), never a person's
-- name; each field but the name and kind is public only where the partner says so.
CREATE TABLE partners (
    id            uuid PRIMARY KEY,
    name          text NOT NULL CONSTRAINT partners_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    kind          text NOT NULL CONSTRAINT partners_kind_known CHECK (kind IN
                      ('association', 'religious_community', 'social_institution', 'school', 'daycare',
                       'administration', 'housing_company', 'police', 'business', 'initiative', 'other')),
    description   text NOT NULL DEFAULT '' CONSTRAINT partners_description_length CHECK (char_length(description) <= 4000),
    topics        text[] NOT NULL DEFAULT '{}'
        CONSTRAINT partners_topics_bounded CHECK (cardinality(topics) <= 20 AND array_position(topics, NULL) IS NULL),
    website       text CONSTRAINT partners_website_length CHECK (char_length(website) <= 500),
    contact_email text CONSTRAINT partners_contact_email_length CHECK (char_length(contact_email) <= 254),
    contact_phone text CONSTRAINT partners_contact_phone_length CHECK (char_length(contact_phone) <= 40),
    address       text CONSTRAINT partners_address_length CHECK (char_length(address) BETWEEN 1 AND 300),
    -- The operator this partner is, when it is one in Quartier too.
    operator_id   uuid CONSTRAINT partners_operator_id_fkey REFERENCES operators (id) ON DELETE SET NULL,
    -- The partner's id in the town's own directory.
    external_id   text CONSTRAINT partners_external_id_length CHECK (char_length(external_id) BETWEEN 1 AND 200),
    -- The fields everyone may read besides name and kind.
    public_fields text[] NOT NULL DEFAULT '{}'
        CONSTRAINT partners_public_fields_known CHECK (public_fields <@ ARRAY[
            'description', 'topics', 'districts', 'website', 'contact_email', 'contact_phone', 'address']::text[]),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 1,
    CONSTRAINT partners_external_id_key UNIQUE (external_id),
    CONSTRAINT partners_operator_id_key UNIQUE (operator_id)
);
CREATE INDEX partners_name_trgm_idx ON partners USING gin (name gin_trgm_ops);
CREATE INDEX partners_topics_idx ON partners USING gin (topics);

-- The districts a partner works in.
CREATE TABLE partner_districts (
    partner_id  uuid NOT NULL CONSTRAINT partner_districts_partner_id_fkey REFERENCES partners (id) ON DELETE CASCADE,
    district_id uuid NOT NULL CONSTRAINT partner_districts_district_id_fkey REFERENCES districts (id) ON DELETE CASCADE,
    CONSTRAINT partner_districts_pkey PRIMARY KEY (partner_id, district_id)
);
CREATE INDEX partner_districts_district_idx ON partner_districts (district_id);
