DROP TRIGGER shifts_places_changed ON shifts;
DROP FUNCTION shifts_places_changed();
ALTER TABLE shifts DROP COLUMN places_changed_at;
