-- The websites that may show Quartier's widgets in a frame: the town's list (operator_id NULL)
-- and each operator's own. An origin is stored as `quartier_domain::embed::EmbedOrigin`
-- writes it; the CHECK keeps anything that could break out of a header value away.
CREATE TABLE embed_origins (
    id uuid PRIMARY KEY,
    operator_id uuid REFERENCES operators (id) ON DELETE CASCADE,
    origin text NOT NULL
        CONSTRAINT embed_origins_origin_form
        CHECK (origin ~ '^https?://(\*\.)?[a-z0-9.-]+(:[0-9]{1,5})?$'),
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT embed_origins_once UNIQUE NULLS NOT DISTINCT (operator_id, origin)
);
