DROP INDEX standing_signups_once;
