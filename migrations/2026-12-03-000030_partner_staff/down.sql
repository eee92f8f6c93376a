ALTER TABLE concern_answers DROP COLUMN partner_id;
ALTER TABLE concerns DROP COLUMN partner_id;
DROP TABLE partner_members;
CREATE OR REPLACE FUNCTION concern_answers_published_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.published_at IS NULL THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT 1 FROM concerns WHERE id = OLD.concern_id) THEN
            RAISE EXCEPTION 'a published answer is never removed'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'concern_answers_published_unchanged',
                      TABLE = 'concern_answers';
        END IF;
        RETURN OLD;
    END IF;
    IF (NEW.concern_id, NEW.operator_id, NEW.visibility, NEW.text, NEW.expected_on, NEW.published_at,
        NEW.created_at, NEW.updated_at)
       IS DISTINCT FROM
       (OLD.concern_id, OLD.operator_id, OLD.visibility, OLD.text, OLD.expected_on, OLD.published_at,
        OLD.created_at, OLD.updated_at)
       OR (NEW.author_id IS DISTINCT FROM OLD.author_id AND NEW.author_id IS NOT NULL) THEN
        RAISE EXCEPTION 'a published answer never changes'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'concern_answers_published_unchanged',
                  TABLE = 'concern_answers';
    END IF;
    RETURN NEW;
END
$$;
