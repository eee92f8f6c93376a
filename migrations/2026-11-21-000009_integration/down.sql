DELETE FROM idempotency_keys k WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = k.owner_id);
ALTER TABLE idempotency_keys RENAME COLUMN owner_id TO user_id;
ALTER TABLE idempotency_keys ADD CONSTRAINT idempotency_keys_user_id_fkey
    FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
ALTER TABLE occurrences
    DROP CONSTRAINT occurrences_operator_external_id_key,
    DROP CONSTRAINT occurrences_external_id_scoped,
    DROP COLUMN external_operator_id,
    DROP COLUMN external_id;
DROP INDEX shifts_operator_starts_at_idx;
ALTER TABLE shifts
    DROP CONSTRAINT shifts_operator_external_id_key,
    DROP CONSTRAINT shifts_centre_operator_fkey,
    DROP COLUMN external_id,
    DROP COLUMN operator_id;
ALTER TABLE activities
    DROP CONSTRAINT activities_operator_external_id_key,
    DROP CONSTRAINT activities_centre_operator_fkey,
    DROP COLUMN external_id,
    DROP COLUMN operator_id;
DROP TABLE api_keys;
