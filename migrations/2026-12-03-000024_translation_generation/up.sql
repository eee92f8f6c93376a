-- How often the variants changed: one row, moved once by every transaction that changes
-- translations. Instances holding the variants in memory compare it to know whether their
-- copy is current.
CREATE TABLE translation_generation (
    only_row   boolean PRIMARY KEY DEFAULT true CONSTRAINT translation_generation_one_row CHECK (only_row),
    generation bigint NOT NULL DEFAULT 0
);
INSERT INTO translation_generation DEFAULT VALUES;

-- Moves the generation once per transaction, at its commit: a deferred trigger runs after
-- every other statement of the transaction, so the row lock it takes is the last lock and is
-- held only while the transaction commits (no deadlock with the owners' rows), and
-- statements that change no variant (a cascade from a parent with none) do not move it.
CREATE FUNCTION translation_generation_move() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('quartier.translation_generation_moved', true) IS DISTINCT FROM txid_current()::text THEN
        UPDATE translation_generation SET generation = generation + 1;
        PERFORM set_config('quartier.translation_generation_moved', txid_current()::text, true);
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER translations_move_generation
    AFTER INSERT OR UPDATE OR DELETE ON translations
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION translation_generation_move();

CREATE TRIGGER translations_truncate_moves_generation
    AFTER TRUNCATE ON translations
    FOR EACH STATEMENT EXECUTE FUNCTION translation_generation_move();
