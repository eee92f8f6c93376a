-- Which version of the privacy policy each user last agreed to (Art. 7 (1) DSGVO: the
-- controller must be able to show what was consented to). NULL: consent was given before
-- versions were recorded, so it counts as consent to no particular version.
ALTER TABLE users
    ADD COLUMN privacy_policy_version text
        CHECK (privacy_policy_version ~ '^[A-Za-z0-9._-]{1,64}$');
