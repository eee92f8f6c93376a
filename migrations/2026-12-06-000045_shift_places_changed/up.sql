-- When a shift's free places last changed (a sign-up, a cancellation, a guest's hold): the
-- public help-wanted feed says an entry was updated then, as well as when the shift itself
-- changed.
ALTER TABLE shifts ADD COLUMN places_changed_at timestamptz;

CREATE FUNCTION shifts_places_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.places_changed_at := clock_timestamp();
    RETURN NEW;
END
$$;

CREATE TRIGGER shifts_places_changed BEFORE UPDATE OF confirmed_count, held_count ON shifts
    FOR EACH ROW
    WHEN (OLD.confirmed_count IS DISTINCT FROM NEW.confirmed_count
          OR OLD.held_count IS DISTINCT FROM NEW.held_count)
    EXECUTE FUNCTION shifts_places_changed();
