ALTER TABLE shifts DROP COLUMN standing_max;
ALTER TABLE signups DROP COLUMN standing_signup_id;
DROP TABLE standing_dates;
DROP TABLE blockouts;
DROP TABLE standing_signups;
