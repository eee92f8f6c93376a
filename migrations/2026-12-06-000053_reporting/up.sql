-- Reporting (quartier_domain::reporting): attendance recorded in tallies, counts of people
-- that survive erasure, and the scope an operator's system reads its figures with.

-- Attendance beyond the total: how many came for the first time and how many of each age
-- band. Counts, never persons; each part at most the total, the age bands together too (the
-- age of some may not be known), and no part without a total.
ALTER TABLE occurrences
    ADD COLUMN first_time_participants integer,
    ADD COLUMN participants_age_0_13 integer,
    ADD COLUMN participants_age_14_17 integer,
    ADD COLUMN participants_age_18_26 integer,
    ADD COLUMN participants_age_27_64 integer,
    ADD COLUMN participants_age_65_plus integer,
    ADD CONSTRAINT occurrences_attendance_parts CHECK (
        least(first_time_participants, participants_age_0_13, participants_age_14_17,
              participants_age_18_26, participants_age_27_64, participants_age_65_plus) >= 0
        AND coalesce(first_time_participants, 0) <= coalesce(participants, 0)
        AND coalesce(participants_age_0_13, 0) + coalesce(participants_age_14_17, 0)
            + coalesce(participants_age_18_26, 0) + coalesce(participants_age_27_64, 0)
            + coalesce(participants_age_65_plus, 0) <= coalesce(participants, 0)
        AND (participants IS NOT NULL OR num_nonnulls(first_time_participants,
              participants_age_0_13, participants_age_14_17, participants_age_18_26,
              participants_age_27_64, participants_age_65_plus) = 0)
    );

-- Counting people after they are gone: each account carries a random mark that names
-- nobody, and a sign-up that stops naming its volunteer keeps the mark instead. Distinct
-- volunteers are counted by the mark, so an erasure changes no count; once the account is
-- deleted nothing leads from the mark to a person.
ALTER TABLE users ADD COLUMN report_ref uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE signups ADD COLUMN volunteer_ref uuid;

CREATE FUNCTION signups_keep_volunteer_ref() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT u.report_ref INTO NEW.volunteer_ref FROM users u WHERE u.id = OLD.user_id;
    RETURN NEW;
END;
$$;
CREATE TRIGGER signups_keep_volunteer_ref BEFORE UPDATE OF user_id ON signups
    FOR EACH ROW WHEN (OLD.user_id IS NOT NULL AND NEW.user_id IS NULL)
    EXECUTE FUNCTION signups_keep_volunteer_ref();

-- An operator's own system reads its figures: the scope reports:read.
ALTER TABLE api_keys
    DROP CONSTRAINT api_keys_scopes_known,
    ADD CONSTRAINT api_keys_scopes_known CHECK (cardinality(scopes) BETWEEN 1 AND 9 AND scopes <@ ARRAY[
        'activities:write', 'shifts:write', 'signups:write', 'roster:read', 'webhooks:manage',
        'concerns:write', 'partners:write', 'rooms:write', 'reports:read']::text[]);
