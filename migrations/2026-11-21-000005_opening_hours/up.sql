-- Opening hours of centres: time ranges per weekday in local time (Europe/Berlin), and dated
-- closures (holidays) when a centre stays shut whatever its weekly hours say.

-- Equality on uuid and smallint inside exclusion constraints.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE centre_opening_hours (
    centre_id uuid NOT NULL REFERENCES centres (id) ON DELETE CASCADE,
    -- ISO weekday: 1 Monday … 7 Sunday.
    weekday   smallint NOT NULL CONSTRAINT centre_opening_hours_weekday_range CHECK (weekday BETWEEN 1 AND 7),
    opens     time NOT NULL,
    closes    time NOT NULL,
    CONSTRAINT centre_opening_hours_order CHECK (closes > opens),
    -- Two ranges of one day never overlap.
    CONSTRAINT centre_opening_hours_no_overlap EXCLUDE USING gist (
        centre_id WITH =,
        weekday WITH =,
        int4range(extract(epoch FROM opens)::int, extract(epoch FROM closes)::int) WITH &&
    )
);

CREATE TABLE centre_closures (
    centre_id uuid NOT NULL REFERENCES centres (id) ON DELETE CASCADE,
    date      date NOT NULL,
    note      text NOT NULL DEFAULT '' CONSTRAINT centre_closures_note_length CHECK (char_length(note) <= 200),
    CONSTRAINT centre_closures_pkey PRIMARY KEY (centre_id, date)
);
