-- The database refuses standing sign-ups more places of a shift than it keeps for them
-- (quartier_domain::standing::standing_places: `standing_max`, else all but one): counted
-- whenever a standing sign-up newly takes a confirmed place or an offer of one holds a place.
-- Every writer holds the shift's lock, so the count is the shift's as it stands.
CREATE FUNCTION standing_places_held() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    kept integer;
    held bigint;
BEGIN
    SELECT greatest(0, least(coalesce(s.standing_max, s.capacity - 1), greatest(s.capacity, 0)))
      INTO kept FROM shifts s WHERE s.id = NEW.shift_id;
    SELECT (SELECT count(*) FROM signups g
             WHERE g.shift_id = NEW.shift_id AND g.status = 'confirmed' AND g.standing_signup_id IS NOT NULL)
         + (SELECT count(*) FROM guest_holds h
             WHERE h.shift_id = NEW.shift_id AND h.holds_place AND h.standing_signup_id IS NOT NULL)
      INTO held;
    IF held > kept THEN
        RAISE EXCEPTION 'standing sign-ups would hold % places of shift %, which keeps % for them',
            held, NEW.shift_id, kept
            USING ERRCODE = 'check_violation', CONSTRAINT = 'shifts_standing_places';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER signups_standing_places AFTER INSERT ON signups
    FOR EACH ROW
    WHEN (NEW.status = 'confirmed' AND NEW.standing_signup_id IS NOT NULL)
    EXECUTE FUNCTION standing_places_held();

CREATE TRIGGER signups_standing_places_taken AFTER UPDATE OF status, standing_signup_id ON signups
    FOR EACH ROW
    WHEN (NEW.status = 'confirmed' AND NEW.standing_signup_id IS NOT NULL
          AND (OLD.status IS DISTINCT FROM 'confirmed' OR OLD.standing_signup_id IS NULL))
    EXECUTE FUNCTION standing_places_held();

CREATE TRIGGER guest_holds_standing_places AFTER INSERT ON guest_holds
    FOR EACH ROW
    WHEN (NEW.holds_place AND NEW.standing_signup_id IS NOT NULL)
    EXECUTE FUNCTION standing_places_held();
