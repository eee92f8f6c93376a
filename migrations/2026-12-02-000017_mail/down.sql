DROP INDEX notifications_queue_idx;
DELETE FROM notifications WHERE kind <> 'api_keys_creator_left';
ALTER TABLE notifications
    DROP CONSTRAINT notifications_sent_at_when_sent,
    DROP CONSTRAINT notifications_dedup_key_key,
    DROP COLUMN address, DROP COLUMN dedup_key, DROP COLUMN due_at, DROP COLUMN state,
    DROP COLUMN attempts, DROP COLUMN leased_until, DROP COLUMN next_attempt_at,
    DROP COLUMN sent_at, DROP COLUMN last_error,
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN ('api_keys_creator_left'));
DROP TABLE account_tokens;
ALTER TABLE users DROP COLUMN language, DROP COLUMN token_generation, DROP COLUMN email_verified_at;
