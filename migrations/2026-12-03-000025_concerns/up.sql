-- Residents' concerns (Anliegen): ideas, needs and problems, answered by the operator
-- responsible for them, and supported ("me too") by neighbours who share them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE concern_categories (
    id               uuid PRIMARY KEY,
    name             text NOT NULL CONSTRAINT concern_categories_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    kind             text NOT NULL CONSTRAINT concern_categories_kind_known CHECK (kind IN ('idea', 'need', 'problem')),
    -- The operator that answers concerns of this category unless they are referred on.
    operator_id      uuid CONSTRAINT concern_categories_operator_id_fkey REFERENCES operators (id) ON DELETE SET NULL,
    -- Whether a new concern waits for staff before it is public.
    needs_moderation boolean NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT concern_categories_name_key UNIQUE (name)
);
CREATE INDEX concern_categories_operator_idx ON concern_categories (operator_id) WHERE operator_id IS NOT NULL;

CREATE TABLE concerns (
    id                   uuid PRIMARY KEY,
    kind                 text NOT NULL CONSTRAINT concerns_kind_known CHECK (kind IN ('idea', 'need', 'problem')),
    category_id          uuid NOT NULL CONSTRAINT concerns_category_id_fkey REFERENCES concern_categories (id) ON DELETE RESTRICT,
    title                text NOT NULL CONSTRAINT concerns_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
    text                 text NOT NULL CONSTRAINT concerns_text_length CHECK (char_length(text) BETWEEN 1 AND 5000),
    district_id          uuid NOT NULL CONSTRAINT concerns_district_id_fkey REFERENCES districts (id) ON DELETE RESTRICT,
    centre_id            uuid CONSTRAINT concerns_centre_id_fkey REFERENCES centres (id) ON DELETE SET NULL,
    latitude             double precision CONSTRAINT concerns_latitude_range CHECK (latitude BETWEEN -90 AND 90),
    longitude            double precision CONSTRAINT concerns_longitude_range CHECK (longitude BETWEEN -180 AND 180),
    address              text CONSTRAINT concerns_address_length CHECK (char_length(address) BETWEEN 1 AND 300),
    -- Who raised it: an account (gone once erased; the text stays), written by the author
    -- or recorded by staff from a phone call, a visit, a meeting or a letter.
    author_id            uuid CONSTRAINT concerns_author_id_fkey REFERENCES users (id) ON DELETE SET NULL,
    show_author          boolean NOT NULL DEFAULT false,
    channel              text NOT NULL DEFAULT 'web' CONSTRAINT concerns_channel_known CHECK (channel IN ('web', 'phone', 'visit', 'meeting', 'letter')),
    recorded_by          uuid CONSTRAINT concerns_recorded_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    -- The day the person raising it agreed to its being stored (recorded by staff only).
    consent_on           date,
    source_occurrence_id uuid CONSTRAINT concerns_source_occurrence_id_fkey REFERENCES occurrences (id) ON DELETE SET NULL,
    status               text NOT NULL CONSTRAINT concerns_status_known CHECK (status IN
                             ('submitted', 'published', 'in_review', 'referred', 'accepted', 'in_progress',
                              'done', 'declined', 'duplicate', 'withdrawn')),
    duplicate_of         uuid CONSTRAINT concerns_duplicate_of_fkey REFERENCES concerns (id) ON DELETE RESTRICT,
    -- The operator answering it: the category's, or the one it was referred to.
    operator_id          uuid CONSTRAINT concerns_operator_id_fkey REFERENCES operators (id) ON DELETE SET NULL,
    support_count        integer NOT NULL DEFAULT 0 CONSTRAINT concerns_support_count_not_negative CHECK (support_count >= 0),
    published_at         timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    version              integer NOT NULL DEFAULT 1 CONSTRAINT concerns_version_positive CHECK (version >= 1),
    CONSTRAINT concerns_point_whole CHECK ((latitude IS NULL) = (longitude IS NULL)),
    CONSTRAINT concerns_duplicate_names_original CHECK ((status = 'duplicate') = (duplicate_of IS NOT NULL)),
    CONSTRAINT concerns_not_own_original CHECK (duplicate_of <> id),
    -- Written down by staff: with the consent of the person it came from.
    CONSTRAINT concerns_recorded_with_consent CHECK (channel = 'web' OR consent_on IS NOT NULL),
    -- Public once published, and from then on always.
    CONSTRAINT concerns_public_once_published CHECK (status IN ('submitted', 'withdrawn', 'declined', 'duplicate') OR published_at IS NOT NULL)
);
CREATE INDEX concerns_district_idx ON concerns (district_id, created_at DESC);
CREATE INDEX concerns_category_idx ON concerns (category_id);
CREATE INDEX concerns_author_idx ON concerns (author_id) WHERE author_id IS NOT NULL;
CREATE INDEX concerns_recorded_by_idx ON concerns (recorded_by) WHERE recorded_by IS NOT NULL;
CREATE INDEX concerns_operator_idx ON concerns (operator_id, status);
CREATE INDEX concerns_centre_idx ON concerns (centre_id) WHERE centre_id IS NOT NULL;
CREATE INDEX concerns_source_occurrence_idx ON concerns (source_occurrence_id) WHERE source_occurrence_id IS NOT NULL;
CREATE INDEX concerns_duplicate_of_idx ON concerns (duplicate_of) WHERE duplicate_of IS NOT NULL;
-- "Bank Spielplatz" finds "Sitzbank am Spielplatz fehlt".
CREATE INDEX concerns_title_trgm_idx ON concerns USING gin (title gin_trgm_ops);
CREATE INDEX concerns_public_idx ON concerns (published_at DESC) WHERE published_at IS NOT NULL;

-- "Me too": one per account and concern; `concerns.support_count` counts them. A supporter
-- whose account is erased stays counted, without the link to the person.
CREATE TABLE concern_supports (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    concern_id  uuid NOT NULL CONSTRAINT concern_supports_concern_id_fkey REFERENCES concerns (id) ON DELETE CASCADE,
    user_id     uuid CONSTRAINT concern_supports_user_id_fkey REFERENCES users (id) ON DELETE SET NULL,
    -- Whether the supporter wants to hear of answers.
    notify      boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT concern_supports_one_per_account UNIQUE (concern_id, user_id)
);
CREATE INDEX concern_supports_user_idx ON concern_supports (user_id) WHERE user_id IS NOT NULL;
