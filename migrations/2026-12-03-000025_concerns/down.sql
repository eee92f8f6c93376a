DROP TABLE concern_supports;
DROP TABLE concerns;
DROP TABLE concern_categories;
DROP EXTENSION IF EXISTS pg_trgm;
