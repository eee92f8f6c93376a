DROP INDEX webhook_deliveries_failed_idx;
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['activities', 'occurrences', 'centres', 'centre_opening_hours',
                             'centre_closures', 'districts', 'operators', 'translations'] LOOP
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_public_insert', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_public_update', t);
        EXECUTE format('DROP TRIGGER %I ON %I', t || '_public_delete', t);
    END LOOP;
END
$$;
DROP FUNCTION note_public_change();
DROP TABLE public_changes;
