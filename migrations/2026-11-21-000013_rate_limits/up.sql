-- Rate limits shared by every API instance: one counter per bucket (a client address, an
-- account, an API key, …) and fixed window. Unlogged: losing the counters in a crash only
-- resets the limits, and writes stay cheap.
CREATE UNLOGGED TABLE rate_limits (
    bucket       text PRIMARY KEY CONSTRAINT rate_limits_bucket_length CHECK (char_length(bucket) <= 200),
    window_start timestamptz NOT NULL,
    hits         integer NOT NULL
);

CREATE INDEX rate_limits_window_idx ON rate_limits (window_start);
