-- Workload limits that protect volunteers (quartier_domain::workload): an operator's policy,
-- and a volunteer's own caps in her profile. NULL sets no limit.
CREATE TABLE workload_policies (
    operator_id uuid PRIMARY KEY REFERENCES operators (id) ON DELETE CASCADE,
    max_minutes_per_day integer
        CONSTRAINT workload_policies_minutes_per_day CHECK (max_minutes_per_day BETWEEN 1 AND 10080),
    max_minutes_per_week integer
        CONSTRAINT workload_policies_minutes_per_week CHECK (max_minutes_per_week BETWEEN 1 AND 10080),
    max_shifts_per_week integer
        CONSTRAINT workload_policies_shifts_per_week CHECK (max_shifts_per_week BETWEEN 1 AND 10080),
    min_rest_minutes integer
        CONSTRAINT workload_policies_rest CHECK (min_rest_minutes BETWEEN 1 AND 10080),
    max_future_signups integer
        CONSTRAINT workload_policies_future CHECK (max_future_signups BETWEEN 1 AND 10080),
    binds_staff boolean NOT NULL DEFAULT false,
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1
);

ALTER TABLE volunteer_profiles
    ADD COLUMN max_shifts_per_week integer
        CONSTRAINT volunteer_profiles_shifts_per_week CHECK (max_shifts_per_week BETWEEN 1 AND 10080),
    ADD COLUMN max_shifts_per_month integer
        CONSTRAINT volunteer_profiles_shifts_per_month CHECK (max_shifts_per_month BETWEEN 1 AND 10080);
