DROP STATISTICS concerns_berlin_month;
DROP STATISTICS shifts_berlin_month;
DROP STATISTICS occurrences_berlin_month;
