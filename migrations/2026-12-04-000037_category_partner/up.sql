-- A category may name the partner that answers its concerns by default (a housing company
-- for courtyards, a Verein for its sports ground): new concerns of it are referred to that
-- partner at once, beside the operator.
ALTER TABLE concern_categories
    ADD COLUMN partner_id uuid CONSTRAINT concern_categories_partner_id_fkey REFERENCES partners (id) ON DELETE SET NULL;
CREATE INDEX concern_categories_partner_idx ON concern_categories (partner_id) WHERE partner_id IS NOT NULL;
