-- A concern keeps the words it was raised in, in the language they were written in: German
-- for most, but a neighbour may write in Turkish, and German is then a variant of it.

-- German is a content language like the others: the source of what staff write, and a
-- variant of a concern raised in another language.
ALTER TABLE content_languages DROP CONSTRAINT content_languages_not_source;
INSERT INTO content_languages (tag, direction, search_config, enabled)
VALUES ('de', 'ltr', 'german', true)
ON CONFLICT (tag) DO NOTHING;

ALTER TABLE concerns ADD COLUMN language text NOT NULL DEFAULT 'de'
    CONSTRAINT concerns_language_fkey REFERENCES content_languages (tag) ON DELETE RESTRICT;
CREATE INDEX concerns_language_idx ON concerns (language) WHERE language <> 'de';

-- A variant is never in the language its owner is written in: German for everything staff
-- write, the concern's own language for a concern. (A concern's language is set when it is
-- raised and never changes.)
CREATE FUNCTION translations_not_source() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.concern_id IS NULL AND NEW.tag = 'de')
       OR (NEW.concern_id IS NOT NULL
           AND EXISTS (SELECT 1 FROM concerns k WHERE k.id = NEW.concern_id AND k.language = NEW.tag)) THEN
        RAISE EXCEPTION 'a variant in % is in the language its owner is written in', NEW.tag
            USING ERRCODE = 'check_violation', CONSTRAINT = 'translations_not_source',
                  TABLE = 'translations';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER translations_not_source BEFORE INSERT OR UPDATE OF tag, concern_id ON translations
    FOR EACH ROW EXECUTE FUNCTION translations_not_source();

CREATE FUNCTION concerns_language_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a concern keeps the language it was raised in'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'concerns_language_fixed',
              TABLE = 'concerns';
END
$$;

CREATE TRIGGER concerns_language_fixed BEFORE UPDATE OF language ON concerns
    FOR EACH ROW WHEN (OLD.language IS DISTINCT FROM NEW.language)
    EXECUTE FUNCTION concerns_language_fixed();
