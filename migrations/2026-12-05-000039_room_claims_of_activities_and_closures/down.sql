UPDATE api_keys SET scopes = array_remove(scopes, 'rooms:write');
DELETE FROM api_keys WHERE cardinality(scopes) = 0;
ALTER TABLE api_keys
    DROP CONSTRAINT api_keys_scopes_known,
    ADD CONSTRAINT api_keys_scopes_known CHECK (cardinality(scopes) BETWEEN 1 AND 7 AND scopes <@ ARRAY[
        'activities:write', 'shifts:write', 'signups:write', 'roster:read', 'webhooks:manage',
        'concerns:write', 'partners:write']::text[]);
DROP TRIGGER room_parts_closures ON room_parts;
DROP FUNCTION room_parts_closures();
DROP TRIGGER centre_closures_claim ON centre_closures;
DROP FUNCTION centre_closures_claim();
DROP FUNCTION closure_day(date);
DROP TRIGGER occurrences_room_claim ON occurrences;
DROP FUNCTION occurrences_room_claim();
DROP TRIGGER occurrence_rooms_claim ON occurrence_rooms;
DROP FUNCTION occurrence_rooms_claim();
DROP FUNCTION room_blocked(uuid, timestamptz, timestamptz);
DELETE FROM room_claims WHERE booking_date_id IS NULL;
DROP INDEX room_claims_closure_part_key;
DROP INDEX room_claims_occurrence_part_key;
DROP INDEX room_claims_booking_date_part_key;
ALTER TABLE room_claims DROP CONSTRAINT room_claims_one_source,
    DROP CONSTRAINT room_claims_closure_fkey,
    DROP COLUMN closure_date, DROP COLUMN closure_centre_id, DROP COLUMN occurrence_id;
ALTER TABLE room_claims DROP CONSTRAINT room_claims_pkey, DROP COLUMN id;
ALTER TABLE room_claims ALTER COLUMN booking_date_id SET NOT NULL;
ALTER TABLE room_claims ADD CONSTRAINT room_claims_pkey PRIMARY KEY (booking_date_id, part_id);
DROP TABLE occurrence_rooms;
DROP TABLE activity_rooms;
