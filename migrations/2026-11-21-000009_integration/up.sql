-- Operator integration: API keys, the operators' own ids for activities, occurrences and
-- shifts, and webhook subscriptions with their deliveries.

-- An operator's key for its own systems. Only a hash of the secret is kept; the prefix is
-- public, so a key can be recognised in logs and listings without revealing it.
CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    operator_id  uuid NOT NULL CONSTRAINT api_keys_operator_id_fkey REFERENCES operators (id) ON DELETE CASCADE,
    name         text NOT NULL CONSTRAINT api_keys_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    prefix       text NOT NULL CONSTRAINT api_keys_prefix_key UNIQUE,
    secret_hash  bytea NOT NULL CONSTRAINT api_keys_secret_hash_key UNIQUE,
    scopes       text[] NOT NULL
        CONSTRAINT api_keys_scopes_known CHECK (cardinality(scopes) BETWEEN 1 AND 5 AND scopes <@ ARRAY[
            'activities:write', 'shifts:write', 'signups:write', 'roster:read', 'webhooks:manage']::text[]),
    expires_at   timestamptz,
    last_used_at timestamptz,
    created_by   uuid CONSTRAINT api_keys_created_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    revoked_by   uuid CONSTRAINT api_keys_revoked_by_fkey REFERENCES users (id) ON DELETE SET NULL
);

CREATE INDEX api_keys_operator_idx ON api_keys (operator_id, created_at, id);

-- Activities and shifts name their operator themselves (kept equal to their centre's), so
-- that an operator's own ids can be unique per operator.
ALTER TABLE activities ADD COLUMN operator_id uuid;
UPDATE activities a SET operator_id = c.operator_id FROM centres c WHERE c.id = a.centre_id;
ALTER TABLE activities
    ALTER COLUMN operator_id SET NOT NULL,
    ADD CONSTRAINT activities_centre_operator_fkey FOREIGN KEY (centre_id, operator_id)
        REFERENCES centres (id, operator_id) ON UPDATE CASCADE,
    ADD COLUMN external_id text
        CONSTRAINT activities_external_id_length CHECK (char_length(external_id) BETWEEN 1 AND 200),
    ADD CONSTRAINT activities_operator_external_id_key UNIQUE (operator_id, external_id);

ALTER TABLE shifts ADD COLUMN operator_id uuid;
UPDATE shifts s SET operator_id = c.operator_id FROM centres c WHERE c.id = s.centre_id;
ALTER TABLE shifts
    ALTER COLUMN operator_id SET NOT NULL,
    ADD CONSTRAINT shifts_centre_operator_fkey FOREIGN KEY (centre_id, operator_id)
        REFERENCES centres (id, operator_id) ON UPDATE CASCADE,
    ADD COLUMN external_id text
        CONSTRAINT shifts_external_id_length CHECK (char_length(external_id) BETWEEN 1 AND 200),
    ADD CONSTRAINT shifts_operator_external_id_key UNIQUE (operator_id, external_id);

CREATE INDEX shifts_operator_starts_at_idx ON shifts (operator_id, starts_at, id);

-- Occurrences are many and mostly without an own id: the operator is set only together
-- with the external id, which it scopes.
ALTER TABLE occurrences
    ADD COLUMN external_id text
        CONSTRAINT occurrences_external_id_length CHECK (char_length(external_id) BETWEEN 1 AND 200),
    ADD COLUMN external_operator_id uuid
        CONSTRAINT occurrences_external_operator_id_fkey REFERENCES operators (id) ON DELETE CASCADE,
    ADD CONSTRAINT occurrences_external_id_scoped CHECK ((external_id IS NULL) = (external_operator_id IS NULL)),
    ADD CONSTRAINT occurrences_operator_external_id_key UNIQUE (external_operator_id, external_id);

-- Where an operator wants to be told about events, and the secret that signs what is sent.
CREATE TABLE webhook_subscriptions (
    id              uuid PRIMARY KEY,
    operator_id     uuid NOT NULL CONSTRAINT webhook_subscriptions_operator_id_fkey REFERENCES operators (id) ON DELETE CASCADE,
    url             text NOT NULL CONSTRAINT webhook_subscriptions_url_length CHECK (char_length(url) BETWEEN 1 AND 2000),
    description     text NOT NULL DEFAULT ''
        CONSTRAINT webhook_subscriptions_description_length CHECK (char_length(description) <= 500),
    events          text[] NOT NULL
        CONSTRAINT webhook_subscriptions_events_size CHECK (cardinality(events) BETWEEN 1 AND 30),
    secret          text NOT NULL,
    active          boolean NOT NULL DEFAULT true,
    -- Why it was switched off, by the operator or after failing for too long.
    disabled_reason text CONSTRAINT webhook_subscriptions_disabled_reason_length CHECK (char_length(disabled_reason) <= 500),
    disabled_at     timestamptz,
    -- Since when every attempt failed; cleared by the next success.
    failing_since   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         integer NOT NULL DEFAULT 1
);

CREATE INDEX webhook_subscriptions_operator_idx ON webhook_subscriptions (operator_id, created_at, id);

-- One event for one subscription: the body is fixed when the event is fanned out, so every
-- retry sends the same bytes under the same webhook-id.
CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY,
    subscription_id uuid NOT NULL CONSTRAINT webhook_deliveries_subscription_id_fkey
        REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id        uuid NOT NULL,
    event_type      text NOT NULL,
    body            text NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
        CONSTRAINT webhook_deliveries_status_known CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz,
    last_status     integer,
    last_error      text,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_deliveries_subscription_event_key UNIQUE (subscription_id, event_id)
);

CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (subscription_id, created_at DESC, id DESC);

-- Every attempt, for the operator's delivery log.
CREATE TABLE webhook_attempts (
    id               uuid PRIMARY KEY,
    delivery_id      uuid NOT NULL CONSTRAINT webhook_attempts_delivery_id_fkey
        REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at     timestamptz NOT NULL,
    status           integer,
    error            text,
    duration_ms      integer NOT NULL,
    response_excerpt text
);

CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, attempted_at);

-- Idempotency keys belong to whoever sent them: an account or an API key (both have UUIDs
-- that never collide), so the reference to accounts goes.
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_user_id_fkey;
ALTER TABLE idempotency_keys RENAME COLUMN user_id TO owner_id;
