UPDATE api_keys SET scopes = array_remove(scopes, 'funds:write');
DELETE FROM api_keys WHERE cardinality(scopes) = 0;
ALTER TABLE api_keys
    DROP CONSTRAINT api_keys_scopes_known,
    ADD CONSTRAINT api_keys_scopes_known CHECK (cardinality(scopes) BETWEEN 1 AND 9 AND scopes <@ ARRAY[
        'activities:write', 'shifts:write', 'signups:write', 'roster:read', 'webhooks:manage',
        'concerns:write', 'partners:write', 'rooms:write', 'reports:read']::text[]);
