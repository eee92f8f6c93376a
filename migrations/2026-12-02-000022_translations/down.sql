DROP TABLE translations;
DROP FUNCTION translations_language_enabled();
DROP TABLE content_languages;
