-- The longest occurrence bounds how long before a range an occurrence overlapping it can
-- start: searches read it here (one index probe) and begin their scan of occurrences by start
-- there, instead of at the first occurrence ever.
CREATE INDEX occurrences_length_idx ON occurrences ((ends_at - starts_at));

-- Rosters, cascades from shifts and the sign-up race read a shift's sign-ups of every status;
-- the partial indexes cover only live or waiting ones.
CREATE INDEX signups_shift_idx ON signups (shift_id);
