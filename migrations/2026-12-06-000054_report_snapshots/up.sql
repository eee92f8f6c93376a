-- Frozen reports (Sachberichte): a report's figures as they were counted, with what its
-- authors wrote about the period. The database refuses every change to one, but that the
-- person who made it is forgotten when their account is erased.
CREATE TABLE report_snapshots (
    id                 uuid PRIMARY KEY,
    title              text NOT NULL CONSTRAINT report_snapshots_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
    catalogue_version  integer NOT NULL CONSTRAINT report_snapshots_catalogue_version_positive CHECK (catalogue_version > 0),
    period_first       date NOT NULL,
    period_last        date NOT NULL,
    -- What the figures cover: the operators they are limited to (NULL: the whole town), and
    -- whether small counts of people are hidden in them.
    operator_ids       uuid[],
    small_cells_hidden boolean NOT NULL,
    -- The report's groupings, filters and indicators, and the figures (IndicatorReport), as
    -- JSON documents kept byte for byte.
    scope              text NOT NULL CONSTRAINT report_snapshots_scope_json CHECK (scope::jsonb IS NOT NULL),
    report             text NOT NULL CONSTRAINT report_snapshots_report_json CHECK (report::jsonb IS NOT NULL),
    goals              text NOT NULL CONSTRAINT report_snapshots_goals_length CHECK (char_length(goals) <= 10000),
    what_happened      text NOT NULL CONSTRAINT report_snapshots_what_happened_length CHECK (char_length(what_happened) <= 10000),
    observed_changes   text NOT NULL CONSTRAINT report_snapshots_observed_changes_length CHECK (char_length(observed_changes) <= 10000),
    created_by         uuid CONSTRAINT report_snapshots_created_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    created_by_key     uuid CONSTRAINT report_snapshots_created_by_key_fkey REFERENCES api_keys (id) ON DELETE SET NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT report_snapshots_period_order CHECK (period_last >= period_first)
);
CREATE INDEX report_snapshots_operators_idx ON report_snapshots USING gin (operator_ids);
CREATE INDEX report_snapshots_created_idx ON report_snapshots (created_at DESC, id);

CREATE FUNCTION report_snapshots_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(NEW) - 'created_by' - 'created_by_key') = (to_jsonb(OLD) - 'created_by' - 'created_by_key')
       AND (NEW.created_by IS NULL OR NEW.created_by = OLD.created_by)
       AND (NEW.created_by_key IS NULL OR NEW.created_by_key = OLD.created_by_key) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'report snapshot % is frozen', OLD.id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'report_snapshots_frozen';
END;
$$;
CREATE TRIGGER report_snapshots_frozen BEFORE UPDATE OR DELETE ON report_snapshots
    FOR EACH ROW EXECUTE FUNCTION report_snapshots_frozen();

CREATE FUNCTION report_snapshots_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'report snapshots are frozen'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'report_snapshots_frozen';
END;
$$;
CREATE TRIGGER report_snapshots_kept BEFORE TRUNCATE ON report_snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION report_snapshots_kept();
