DROP TRIGGER concerns_language_fixed ON concerns;
DROP FUNCTION concerns_language_fixed();
DROP TRIGGER translations_not_source ON translations;
DROP FUNCTION translations_not_source();
DELETE FROM translations WHERE tag = 'de';
ALTER TABLE concerns DROP COLUMN language;
DELETE FROM content_languages WHERE tag = 'de';
ALTER TABLE content_languages ADD CONSTRAINT content_languages_not_source CHECK (tag <> 'de');
