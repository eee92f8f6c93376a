ALTER TABLE api_keys
    DROP CONSTRAINT api_keys_scopes_known,
    ADD CONSTRAINT api_keys_scopes_known CHECK (cardinality(scopes) BETWEEN 1 AND 8 AND scopes <@ ARRAY[
        'activities:write', 'shifts:write', 'signups:write', 'roster:read', 'webhooks:manage',
        'concerns:write', 'partners:write', 'rooms:write']::text[]);
DROP TRIGGER signups_keep_volunteer_ref ON signups;
DROP FUNCTION signups_keep_volunteer_ref();
ALTER TABLE signups DROP COLUMN volunteer_ref;
ALTER TABLE users DROP COLUMN report_ref;
ALTER TABLE occurrences
    DROP CONSTRAINT occurrences_attendance_parts,
    DROP COLUMN first_time_participants,
    DROP COLUMN participants_age_0_13,
    DROP COLUMN participants_age_14_17,
    DROP COLUMN participants_age_18_26,
    DROP COLUMN participants_age_27_64,
    DROP COLUMN participants_age_65_plus;
