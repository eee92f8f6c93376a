-- Texts in the neighbourhood's languages: German is the source, kept in the resources' own
-- columns; every other language is a variant, one row per resource, language and field.

-- The languages content may be written in. The server writes this table at start from its
-- configuration: a language taken out of the configuration stays, disabled, while texts in
-- it exist, and no new text may be written in it.
CREATE TABLE content_languages (
    tag           text PRIMARY KEY
        -- Canonical BCP 47 case: lower-case language, title-case script, upper-case region.
        CONSTRAINT content_languages_tag_form CHECK (tag ~ '^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$' AND char_length(tag) <= 64),
    direction     text NOT NULL CONSTRAINT content_languages_direction_known CHECK (direction IN ('ltr', 'rtl')),
    search_config regconfig NOT NULL,
    enabled       boolean NOT NULL DEFAULT true,
    -- The source language has no variants.
    CONSTRAINT content_languages_not_source CHECK (tag <> 'de')
);

CREATE TABLE translations (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Exactly one owner.
    activity_id           uuid CONSTRAINT translations_activity_id_fkey REFERENCES activities (id) ON DELETE CASCADE,
    centre_id             uuid CONSTRAINT translations_centre_id_fkey REFERENCES centres (id) ON DELETE CASCADE,
    shift_id              uuid CONSTRAINT translations_shift_id_fkey REFERENCES shifts (id) ON DELETE CASCADE,
    qualification_type_id uuid CONSTRAINT translations_qualification_type_id_fkey REFERENCES qualification_types (id) ON DELETE CASCADE,
    field                 text NOT NULL,
    tag                   text NOT NULL CONSTRAINT translations_tag_fkey REFERENCES content_languages (tag) ON DELETE RESTRICT,
    text                  text NOT NULL,
    origin                text NOT NULL CONSTRAINT translations_origin_known CHECK (origin IN ('human', 'machine')),
    reviewed              boolean NOT NULL DEFAULT false,
    -- md5 of the German source when the variant was written: it is stale once they differ.
    source_md5            text NOT NULL CONSTRAINT translations_source_md5_form CHECK (source_md5 ~ '^[0-9a-f]{32}$'),
    -- Words of the text for full-text search, in the language's own configuration.
    search                tsvector NOT NULL,
    written_by            uuid CONSTRAINT translations_written_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT translations_one_owner CHECK (num_nonnulls(activity_id, centre_id, shift_id, qualification_type_id) = 1),
    -- The fields each owner has, and the length limit of each: the same as the source's.
    CONSTRAINT translations_field_known CHECK (
        (activity_id IS NULL OR field IN ('title', 'description', 'accessibility_notes', 'cost_note'))
        AND (centre_id IS NULL OR field IN ('name', 'description', 'accessibility_notes'))
        AND (shift_id IS NULL OR field IN ('title', 'description'))
        AND (qualification_type_id IS NULL OR field IN ('name'))),
    CONSTRAINT translations_text_length CHECK (char_length(text) BETWEEN 1 AND (CASE
        WHEN field IN ('title', 'name') THEN 200
        WHEN field = 'description' AND shift_id IS NOT NULL THEN 4000
        WHEN field = 'description' THEN 8000
        WHEN field = 'accessibility_notes' THEN 2000
        WHEN field = 'cost_note' THEN 500 ELSE 0 END))
);

CREATE UNIQUE INDEX translations_activity_key ON translations (activity_id, tag, field) WHERE activity_id IS NOT NULL;
CREATE UNIQUE INDEX translations_centre_key ON translations (centre_id, tag, field) WHERE centre_id IS NOT NULL;
CREATE UNIQUE INDEX translations_shift_key ON translations (shift_id, tag, field) WHERE shift_id IS NOT NULL;
CREATE UNIQUE INDEX translations_qualification_type_key ON translations (qualification_type_id, tag, field)
    WHERE qualification_type_id IS NOT NULL;
CREATE INDEX translations_search_idx ON translations USING gin (search);
CREATE INDEX translations_tag_idx ON translations (tag);
CREATE INDEX translations_written_by_idx ON translations (written_by) WHERE written_by IS NOT NULL;

-- A text is written only in an enabled language; texts in a language disabled since stay
-- (and are not served) until they are deleted; other changes to their rows (such as
-- forgetting who wrote them) still pass.
CREATE FUNCTION translations_language_enabled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM content_languages WHERE tag = NEW.tag AND enabled) THEN
        RAISE EXCEPTION 'the content language % is not enabled', NEW.tag
            USING ERRCODE = 'check_violation', CONSTRAINT = 'translations_language_enabled',
                  TABLE = 'translations';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER translations_language_enabled BEFORE INSERT OR UPDATE OF tag, text ON translations
    FOR EACH ROW EXECUTE FUNCTION translations_language_enabled();
