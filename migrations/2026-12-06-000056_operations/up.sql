-- Operations at scale: what the public pages are made of changed (for the cache of public
-- pages on every instance), and the figures `/metrics` reads.

-- One row per statement that changed the directory behind the public pages (activities and
-- their dates, centres, their hours and closures, districts, operators, texts in other
-- languages). Instances read the rows newer than the last they saw and drop their cached
-- pages; rows older than a day are removed by whoever reads.
CREATE TABLE public_changes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source     text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- Statement level, with the rows the statement changed: a statement that changed none (a
-- horizon pass with nothing to add) writes nothing.
CREATE FUNCTION note_public_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed) THEN
        INSERT INTO public_changes (source) VALUES (TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['activities', 'occurrences', 'centres', 'centre_opening_hours',
                             'centre_closures', 'districts', 'operators', 'translations'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS changed '
                       'FOR EACH STATEMENT EXECUTE FUNCTION note_public_change()', t || '_public_insert', t);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS changed '
                       'FOR EACH STATEMENT EXECUTE FUNCTION note_public_change()', t || '_public_update', t);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS changed '
                       'FOR EACH STATEMENT EXECUTE FUNCTION note_public_change()', t || '_public_delete', t);
    END LOOP;
END
$$;

-- `/metrics` counts the deliveries that failed for good without reading every delivery.
CREATE INDEX webhook_deliveries_failed_idx ON webhook_deliveries (created_at) WHERE status = 'failed';
