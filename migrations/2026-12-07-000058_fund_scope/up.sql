-- An operator's own system runs its neighbourhood funds: the scope funds:write.
ALTER TABLE api_keys
    DROP CONSTRAINT api_keys_scopes_known,
    ADD CONSTRAINT api_keys_scopes_known CHECK (cardinality(scopes) BETWEEN 1 AND 10 AND scopes <@ ARRAY[
        'activities:write', 'shifts:write', 'signups:write', 'roster:read', 'webhooks:manage',
        'concerns:write', 'partners:write', 'rooms:write', 'reports:read', 'funds:write']::text[]);

-- A subscription to every event type names the seven fund_application.* types too.
ALTER TABLE webhook_subscriptions
    DROP CONSTRAINT webhook_subscriptions_events_size,
    ADD CONSTRAINT webhook_subscriptions_events_size CHECK (cardinality(events) BETWEEN 1 AND 100);
