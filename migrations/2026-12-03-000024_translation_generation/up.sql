-- How often the variants changed: one row, moved by every statement that writes
-- translations. Instances holding the variants in memory compare it to know whether their
-- copy is current. The row lock orders writers, so a reader that sees a generation sees
-- every write counted before it.
CREATE TABLE translation_generation (
    only_row   boolean PRIMARY KEY DEFAULT true CONSTRAINT translation_generation_one_row CHECK (only_row),
    generation bigint NOT NULL DEFAULT 0
);
INSERT INTO translation_generation DEFAULT VALUES;

CREATE FUNCTION translation_generation_move() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE translation_generation SET generation = generation + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER translations_move_generation
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON translations
    FOR EACH STATEMENT EXECUTE FUNCTION translation_generation_move();
