DROP TABLE notifications;
DROP INDEX api_keys_created_by_idx;
ALTER TABLE api_keys DROP COLUMN replaced_by, DROP COLUMN creator_left_at;
