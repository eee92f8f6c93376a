DROP TRIGGER guest_holds_standing_places ON guest_holds;
DROP TRIGGER signups_standing_places_taken ON signups;
DROP TRIGGER signups_standing_places ON signups;
DROP FUNCTION standing_places_held();
