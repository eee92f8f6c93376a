-- Reports group dates by their month in Europe/Berlin. Without statistics on that expression
-- PostgreSQL guesses a group for nearly every row and sorts hundreds of thousands of rows
-- where hashing a few hundred groups would do; with them it hashes.
CREATE STATISTICS occurrences_berlin_month ON (date_trunc('month', starts_at AT TIME ZONE 'Europe/Berlin')) FROM occurrences;
CREATE STATISTICS shifts_berlin_month ON (date_trunc('month', starts_at AT TIME ZONE 'Europe/Berlin')) FROM shifts;
CREATE STATISTICS concerns_berlin_month ON (date_trunc('month', created_at AT TIME ZONE 'Europe/Berlin')) FROM concerns;
ANALYZE occurrences, shifts, concerns;
