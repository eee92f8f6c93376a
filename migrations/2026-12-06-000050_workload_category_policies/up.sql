-- An operator's workload limits for shifts of one activity category (counselling, a play
-- group): held beside the operator's own limits, counting only her shifts in that category
-- at the operator. Part of the operator's policy, whose version and binds_staff they share.
CREATE TABLE workload_category_policies (
    operator_id uuid NOT NULL REFERENCES workload_policies (operator_id) ON DELETE CASCADE,
    category text NOT NULL
        CONSTRAINT workload_category_policies_category_known CHECK (category IN ('open_meetup', 'play_group',
            'coffee_table', 'information_event', 'interest_group', 'course', 'counselling', 'excursion',
            'project', 'other')),
    max_minutes_per_day integer
        CONSTRAINT workload_category_policies_minutes_per_day CHECK (max_minutes_per_day BETWEEN 1 AND 10080),
    max_minutes_per_week integer
        CONSTRAINT workload_category_policies_minutes_per_week CHECK (max_minutes_per_week BETWEEN 1 AND 10080),
    max_shifts_per_week integer
        CONSTRAINT workload_category_policies_shifts_per_week CHECK (max_shifts_per_week BETWEEN 1 AND 10080),
    min_rest_minutes integer
        CONSTRAINT workload_category_policies_rest CHECK (min_rest_minutes BETWEEN 1 AND 10080),
    max_future_signups integer
        CONSTRAINT workload_category_policies_future CHECK (max_future_signups BETWEEN 1 AND 10080),
    PRIMARY KEY (operator_id, category)
);
