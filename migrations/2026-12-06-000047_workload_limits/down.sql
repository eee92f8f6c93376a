ALTER TABLE volunteer_profiles DROP COLUMN max_shifts_per_month, DROP COLUMN max_shifts_per_week;
DROP TABLE workload_policies;
