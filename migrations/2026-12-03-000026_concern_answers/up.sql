-- Answers to concerns: an append-only timeline. Public answers are for everyone once
-- published (drafts wait for staff to publish them); internal notes are for those who answer
-- the concern. A published answer never changes.
CREATE TABLE concern_answers (
    id           uuid PRIMARY KEY,
    concern_id   uuid NOT NULL CONSTRAINT concern_answers_concern_id_fkey REFERENCES concerns (id) ON DELETE CASCADE,
    -- Who wrote it (gone once erased), and for which operator: the answering unit.
    author_id    uuid CONSTRAINT concern_answers_author_id_fkey REFERENCES users (id) ON DELETE SET NULL,
    operator_id  uuid CONSTRAINT concern_answers_operator_id_fkey REFERENCES operators (id) ON DELETE SET NULL,
    visibility   text NOT NULL CONSTRAINT concern_answers_visibility_known CHECK (visibility IN ('public', 'internal')),
    text         text NOT NULL CONSTRAINT concern_answers_text_length CHECK (char_length(text) BETWEEN 1 AND 5000),
    -- When what it announces is expected.
    expected_on  date,
    -- None while it is a draft.
    published_at timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    -- An internal note is never a draft: it is for staff from the start.
    CONSTRAINT concern_answers_notes_not_drafts CHECK (visibility = 'public' OR published_at IS NOT NULL)
);
CREATE INDEX concern_answers_concern_idx ON concern_answers (concern_id, created_at);
CREATE INDEX concern_answers_author_idx ON concern_answers (author_id) WHERE author_id IS NOT NULL;
CREATE INDEX concern_answers_operator_idx ON concern_answers (operator_id) WHERE operator_id IS NOT NULL;

-- A published answer never changes and is never removed on its own: only forgetting its
-- author (an erased account) passes, and its concern's removal takes it along.
CREATE FUNCTION concern_answers_published_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE TRIGGER concern_answers_published_unchanged BEFORE UPDATE OR DELETE ON concern_answers
    FOR EACH ROW EXECUTE FUNCTION concern_answers_published_unchanged();

-- Told to a concern's author and to supporters who asked: it was answered.
ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation',
        'guest_hold', 'guest_link', 'help_wanted', 'staff_summary', 'concern_answered'));
