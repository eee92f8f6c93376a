-- API keys outlive the admin who made them no longer unseen: when she leaves the operator, is
-- no longer its operator admin, or erases her account, her keys are flagged and the remaining
-- operator admins are told. A key can be rotated: a new secret, the old one valid for a grace
-- period, and the old key names its successor.
ALTER TABLE api_keys
    ADD COLUMN creator_left_at timestamptz,
    ADD COLUMN replaced_by     uuid
        CONSTRAINT api_keys_replaced_by_fkey REFERENCES api_keys (id) ON DELETE SET NULL;

CREATE INDEX api_keys_created_by_idx ON api_keys (created_by) WHERE created_by IS NOT NULL;

-- What a person is told inside Quartier; mail may carry the same later.
CREATE TABLE notifications (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL
        CONSTRAINT notifications_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    kind        text NOT NULL CONSTRAINT notifications_kind_known CHECK (kind IN ('api_keys_creator_left')),
    operator_id uuid CONSTRAINT notifications_operator_id_fkey REFERENCES operators (id) ON DELETE CASCADE,
    -- More about it, as JSON (ids only, never names).
    details     text NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    read_at     timestamptz
);

CREATE INDEX notifications_user_id_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_operator_id_idx ON notifications (operator_id) WHERE operator_id IS NOT NULL;
