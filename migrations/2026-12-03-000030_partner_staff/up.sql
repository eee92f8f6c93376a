-- Partner staff answer the concerns referred to their partner: partner admins also keep the
-- partner's staff list.
CREATE TABLE partner_members (
    partner_id uuid NOT NULL CONSTRAINT partner_members_partner_id_fkey REFERENCES partners (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL CONSTRAINT partner_members_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL CONSTRAINT partner_members_role_known CHECK (role IN ('partner_admin', 'partner_staff')),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT partner_members_pkey PRIMARY KEY (partner_id, user_id)
);
CREATE INDEX partner_members_user_idx ON partner_members (user_id);

-- A concern referred to a partner: its staff answer it beside the operator's.
ALTER TABLE concerns
    ADD COLUMN partner_id uuid CONSTRAINT concerns_partner_id_fkey REFERENCES partners (id) ON DELETE SET NULL;
CREATE INDEX concerns_partner_idx ON concerns (partner_id, status) WHERE partner_id IS NOT NULL;

-- The partner that answered, when partner staff wrote the answer.
ALTER TABLE concern_answers
    ADD COLUMN partner_id uuid CONSTRAINT concern_answers_partner_id_fkey REFERENCES partners (id) ON DELETE SET NULL;
CREATE INDEX concern_answers_partner_idx ON concern_answers (partner_id) WHERE partner_id IS NOT NULL;

-- The trigger that keeps published answers unchanged lets a partner's removal pass.
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
       OR (NEW.author_id IS DISTINCT FROM OLD.author_id AND NEW.author_id IS NOT NULL)
       OR (NEW.partner_id IS DISTINCT FROM OLD.partner_id AND NEW.partner_id IS NOT NULL) THEN
        RAISE EXCEPTION 'a published answer never changes'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'concern_answers_published_unchanged',
                  TABLE = 'concern_answers';
    END IF;
    RETURN NEW;
END;
$$;
