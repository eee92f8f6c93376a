UPDATE webhook_subscriptions SET events = ARRAY(SELECT e FROM unnest(events) AS e WHERE e NOT LIKE 'fund_application.%');
DELETE FROM webhook_subscriptions WHERE cardinality(events) = 0;
ALTER TABLE webhook_subscriptions
    DROP CONSTRAINT webhook_subscriptions_events_size,
    ADD CONSTRAINT webhook_subscriptions_events_size CHECK (cardinality(events) BETWEEN 1 AND 30);
UPDATE api_keys SET scopes = array_remove(scopes, 'funds:write');
DELETE FROM api_keys WHERE cardinality(scopes) = 0;
ALTER TABLE api_keys
    DROP CONSTRAINT api_keys_scopes_known,
    ADD CONSTRAINT api_keys_scopes_known CHECK (cardinality(scopes) BETWEEN 1 AND 9 AND scopes <@ ARRAY[
        'activities:write', 'shifts:write', 'signups:write', 'roster:read', 'webhooks:manage',
        'concerns:write', 'partners:write', 'rooms:write', 'reports:read']::text[]);
