-- E-mail addresses that differ only in Unicode composition (NFC against NFD) or case name one
-- account. Accounts that would collide are never merged: the migration stops and names them,
-- to be resolved by hand (for example by changing one address) before it runs again.
DO $$
DECLARE
    twins text;
BEGIN
    SELECT string_agg(ids, '; ') INTO twins
    FROM (
        SELECT string_agg(id::text, ', ' ORDER BY created_at, id) AS ids
        FROM users
        GROUP BY lower(normalize(email, NFC))
        HAVING count(*) > 1
    ) groups;
    IF twins IS NOT NULL THEN
        RAISE EXCEPTION 'accounts whose e-mail addresses differ only in Unicode composition or case: %', twins
            USING HINT = 'Nothing was merged. Change the address of all but one account of each group, then start Quartier again.';
    END IF;
END
$$;

UPDATE users SET email = normalize(email, NFC) WHERE email IS NOT NFC NORMALIZED;

ALTER TABLE users ADD CONSTRAINT users_email_nfc CHECK (email IS NFC NORMALIZED);

DROP INDEX users_email_key;
CREATE UNIQUE INDEX users_email_key ON users (lower(normalize(email, NFC)));
