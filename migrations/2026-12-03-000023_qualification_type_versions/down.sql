ALTER TABLE qualification_types DROP COLUMN version, DROP COLUMN updated_at;
