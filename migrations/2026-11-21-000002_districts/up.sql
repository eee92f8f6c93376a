-- Districts (Quartier, Stadtteil): named areas of a town; a district may lie inside another.

CREATE TABLE districts (
    id         uuid PRIMARY KEY,
    name       text NOT NULL
        CONSTRAINT districts_name_length CHECK (char_length(name) BETWEEN 1 AND 120),
    slug       text NOT NULL
        CONSTRAINT districts_slug_format CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND char_length(slug) <= 80),
    town       text NOT NULL
        CONSTRAINT districts_town_length CHECK (char_length(town) BETWEEN 1 AND 120),
    parent_id  uuid CONSTRAINT districts_parent_id_fkey REFERENCES districts (id) ON DELETE RESTRICT,
    latitude   double precision
        CONSTRAINT districts_latitude_range CHECK (latitude BETWEEN -90 AND 90),
    longitude  double precision
        CONSTRAINT districts_longitude_range CHECK (longitude BETWEEN -180 AND 180),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version    integer NOT NULL DEFAULT 1,
    CONSTRAINT districts_slug_key UNIQUE (slug),
    CONSTRAINT districts_not_own_parent CHECK (parent_id <> id),
    CONSTRAINT districts_point_complete CHECK ((latitude IS NULL) = (longitude IS NULL))
);

CREATE INDEX districts_parent_idx ON districts (parent_id);
-- The directory lists districts by name.
CREATE INDEX districts_name_idx ON districts (name, id);
