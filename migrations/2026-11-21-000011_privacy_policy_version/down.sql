ALTER TABLE users DROP COLUMN privacy_policy_version;
