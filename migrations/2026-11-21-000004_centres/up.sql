-- Neighbourhood centres (Quartierszentren): places open to everyone in a district.

CREATE TABLE centres (
    id                  uuid PRIMARY KEY,
    operator_id         uuid NOT NULL CONSTRAINT centres_operator_id_fkey REFERENCES operators (id) ON DELETE RESTRICT,
    district_id         uuid NOT NULL CONSTRAINT centres_district_id_fkey REFERENCES districts (id) ON DELETE RESTRICT,
    name                text NOT NULL
        CONSTRAINT centres_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    kind                text NOT NULL
        CONSTRAINT centres_kind_known CHECK (kind IN ('community_house', 'community_work_centre', 'wohncafe',
            'meeting_place', 'district_office', 'other')),
    description         text NOT NULL DEFAULT ''
        CONSTRAINT centres_description_length CHECK (char_length(description) <= 8000),
    street              text NOT NULL CONSTRAINT centres_street_length CHECK (char_length(street) BETWEEN 1 AND 200),
    postcode            text NOT NULL CONSTRAINT centres_postcode_format CHECK (postcode ~ '^[0-9]{5}$'),
    town                text NOT NULL CONSTRAINT centres_town_length CHECK (char_length(town) BETWEEN 1 AND 120),
    latitude            double precision NOT NULL CONSTRAINT centres_latitude_range CHECK (latitude BETWEEN -90 AND 90),
    longitude           double precision NOT NULL CONSTRAINT centres_longitude_range CHECK (longitude BETWEEN -180 AND 180),
    phone               text CONSTRAINT centres_phone_length CHECK (char_length(phone) <= 40),
    email               text CONSTRAINT centres_email_length CHECK (char_length(email) <= 254),
    languages           text[] NOT NULL DEFAULT '{}'
        CONSTRAINT centres_languages_codes CHECK (array_position(languages, NULL) IS NULL AND cardinality(languages) <= 30),
    step_free           boolean NOT NULL DEFAULT false,
    accessible_toilet   boolean NOT NULL DEFAULT false,
    hearing_loop        boolean NOT NULL DEFAULT false,
    disabled_parking    boolean NOT NULL DEFAULT false,
    accessibility_notes text NOT NULL DEFAULT ''
        CONSTRAINT centres_accessibility_notes_length CHECK (char_length(accessibility_notes) <= 2000),
    contact_user_id     uuid CONSTRAINT centres_contact_user_id_fkey REFERENCES users (id) ON DELETE SET NULL,
    contact_role        text CONSTRAINT centres_contact_role_length CHECK (char_length(contact_role) <= 100),
    status              text NOT NULL DEFAULT 'active'
        CONSTRAINT centres_status_known CHECK (status IN ('active', 'temporarily_closed', 'closed')),
    -- German full-text search over name and description; the name weighs more.
    search              tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('german', name), 'A') || setweight(to_tsvector('german', description), 'B')
    ) STORED,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             integer NOT NULL DEFAULT 1
);

CREATE INDEX centres_name_idx ON centres (name, id);
CREATE INDEX centres_district_idx ON centres (district_id);
CREATE INDEX centres_operator_idx ON centres (operator_id);
CREATE INDEX centres_search_idx ON centres USING gin (search);
CREATE INDEX centres_languages_idx ON centres USING gin (languages);
-- "Near a point" first narrows to a box around it.
CREATE INDEX centres_position_idx ON centres (latitude, longitude);
