-- A qualification type's name is read in the neighbourhood's languages: writing a variant
-- changes the type's version, which `If-Match` and `ETag` name.
ALTER TABLE qualification_types
    ADD COLUMN version    integer NOT NULL DEFAULT 1 CONSTRAINT qualification_types_version_positive CHECK (version >= 1),
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
