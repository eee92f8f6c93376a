-- The neighbourhood fund (Verfügungsfonds): small grants for residents' own projects, from
-- the application to the proof of use. Amounts are whole cents.

CREATE TABLE funds (
    id                    uuid PRIMARY KEY,
    -- Who runs it: an operator, or the town for a district.
    operator_id           uuid CONSTRAINT funds_operator_id_fkey REFERENCES operators (id) ON DELETE RESTRICT,
    district_id           uuid CONSTRAINT funds_district_id_fkey REFERENCES districts (id) ON DELETE RESTRICT,
    -- The committee (Quartiersbeirat, Jury) that decides above the staff's threshold.
    committee_network_id  uuid CONSTRAINT funds_committee_network_id_fkey REFERENCES networks (id) ON DELETE SET NULL,
    year                  smallint NOT NULL CONSTRAINT funds_year_range CHECK (year BETWEEN 2000 AND 2100),
    title                 text NOT NULL CONSTRAINT funds_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
    budget_cents          bigint NOT NULL CONSTRAINT funds_budget_range CHECK (budget_cents BETWEEN 0 AND 1000000000),
    per_project_max_cents bigint NOT NULL CONSTRAINT funds_per_project_max_within_budget CHECK (per_project_max_cents BETWEEN 0 AND budget_cents),
    staff_threshold_cents bigint NOT NULL CONSTRAINT funds_staff_threshold_within_project_max CHECK (staff_threshold_cents BETWEEN 0 AND per_project_max_cents),
    -- What approved and reported projects hold, and what settled ones spent: never over the
    -- budget. Changed only together with the application it is for, under this row's lock.
    granted_cents         bigint NOT NULL DEFAULT 0 CONSTRAINT funds_granted_within_budget CHECK (granted_cents BETWEEN 0 AND budget_cents),
    -- The settled projects' part of it.
    spent_cents           bigint NOT NULL DEFAULT 0 CONSTRAINT funds_spent_within_granted CHECK (spent_cents BETWEEN 0 AND granted_cents),
    created_by            uuid CONSTRAINT funds_created_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    version               integer NOT NULL DEFAULT 1 CONSTRAINT funds_version_positive CHECK (version >= 1),
    CONSTRAINT funds_one_owner CHECK ((operator_id IS NULL) <> (district_id IS NULL))
);
CREATE INDEX funds_operator_idx ON funds (operator_id, year) WHERE operator_id IS NOT NULL;
CREATE INDEX funds_district_idx ON funds (district_id, year) WHERE district_id IS NOT NULL;
CREATE INDEX funds_committee_idx ON funds (committee_network_id) WHERE committee_network_id IS NOT NULL;
CREATE INDEX funds_created_by_idx ON funds (created_by) WHERE created_by IS NOT NULL;

CREATE TABLE fund_applications (
    id                    uuid PRIMARY KEY,
    fund_id               uuid NOT NULL CONSTRAINT fund_applications_fund_id_fkey REFERENCES funds (id) ON DELETE RESTRICT,
    -- Who applies: an account or a guest (gone once erased; title and amounts stay), and
    -- optionally the partner organisation applying with them or for them.
    applicant_id          uuid CONSTRAINT fund_applications_applicant_id_fkey REFERENCES users (id) ON DELETE SET NULL,
    applicant_partner_id  uuid CONSTRAINT fund_applications_applicant_partner_id_fkey REFERENCES partners (id) ON DELETE SET NULL,
    -- Where the project happens: the public list and the reports count by it.
    district_id           uuid NOT NULL CONSTRAINT fund_applications_district_id_fkey REFERENCES districts (id) ON DELETE RESTRICT,
    -- The concern the project answers, if any.
    concern_id            uuid CONSTRAINT fund_applications_concern_id_fkey REFERENCES concerns (id) ON DELETE SET NULL,
    title                 text NOT NULL CONSTRAINT fund_applications_title_length CHECK (char_length(title) BETWEEN 1 AND 200),
    description           text NOT NULL CONSTRAINT fund_applications_description_length CHECK (char_length(description) BETWEEN 1 AND 5000),
    goals                 text CONSTRAINT fund_applications_goals_length CHECK (char_length(goals) BETWEEN 1 AND 2000),
    target_groups         text[] NOT NULL DEFAULT '{}' CONSTRAINT fund_applications_target_groups_few CHECK (cardinality(target_groups) <= 20),
    requested_cents       bigint NOT NULL CONSTRAINT fund_applications_requested_range CHECK (requested_cents BETWEEN 1 AND 1000000000),
    status                text NOT NULL DEFAULT 'draft' CONSTRAINT fund_applications_status_known CHECK (status IN
                              ('draft', 'submitted', 'prechecked', 'approved', 'declined', 'reported', 'settled', 'withdrawn')),
    submitted_at          timestamptz,
    -- The decision: who (staff alone, or the committee with its minutes), when, how much.
    granted_cents         bigint CONSTRAINT fund_applications_granted_range CHECK (granted_cents BETWEEN 1 AND requested_cents),
    decided_by            text CONSTRAINT fund_applications_decided_by_known CHECK (decided_by IN ('staff', 'committee')),
    decided_at            timestamptz,
    decided_by_user       uuid CONSTRAINT fund_applications_decided_by_user_fkey REFERENCES users (id) ON DELETE SET NULL,
    -- The committee meeting that decided (a date of the network's activity), or where its
    -- minutes are, in words.
    minutes_occurrence_id uuid CONSTRAINT fund_applications_minutes_occurrence_id_fkey REFERENCES occurrences (id) ON DELETE SET NULL,
    minutes_note          text CONSTRAINT fund_applications_minutes_note_length CHECK (char_length(minutes_note) BETWEEN 1 AND 500),
    decline_reason        text CONSTRAINT fund_applications_decline_reason_length CHECK (char_length(decline_reason) BETWEEN 1 AND 2000),
    -- The proof of use (Verwendungsnachweis).
    actual_cost_cents     bigint CONSTRAINT fund_applications_actual_cost_range CHECK (actual_cost_cents BETWEEN 0 AND 1000000000),
    report_text           text CONSTRAINT fund_applications_report_text_length CHECK (char_length(report_text) BETWEEN 1 AND 5000),
    attendance            integer CONSTRAINT fund_applications_attendance_range CHECK (attendance BETWEEN 0 AND 1000000),
    receipts_seen         boolean,
    reported_at           timestamptz,
    -- What was spent of the grant, once settled; the rest went back to the fund.
    spent_cents           bigint CONSTRAINT fund_applications_spent_within_grant CHECK (spent_cents BETWEEN 0 AND granted_cents),
    settled_at            timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    version               integer NOT NULL DEFAULT 1 CONSTRAINT fund_applications_version_positive CHECK (version >= 1),
    -- Granted when approved, reported or settled, never before; a withdrawn approval keeps
    -- what it had been granted (the fund has it back). A grant names who decided and when.
    -- (A committee's decision names its minutes when it is taken; the meeting's date may
    -- later be deleted with its activity's schedule, and only the link goes.)
    CONSTRAINT fund_applications_granted_when_approved CHECK (
        CASE status
            WHEN 'withdrawn' THEN true
            WHEN 'approved' THEN granted_cents IS NOT NULL
            WHEN 'reported' THEN granted_cents IS NOT NULL
            WHEN 'settled' THEN granted_cents IS NOT NULL
            ELSE granted_cents IS NULL
        END
        AND (granted_cents IS NULL OR (decided_by IS NOT NULL AND decided_at IS NOT NULL))),
    CONSTRAINT fund_applications_declined_with_reason CHECK ((status = 'declined') = (decline_reason IS NOT NULL)),
    CONSTRAINT fund_applications_reported_with_proof CHECK (
        (status IN ('reported', 'settled')) = (actual_cost_cents IS NOT NULL AND report_text IS NOT NULL AND reported_at IS NOT NULL)),
    CONSTRAINT fund_applications_settled_with_spending CHECK ((status = 'settled') = (spent_cents IS NOT NULL AND settled_at IS NOT NULL)),
    CONSTRAINT fund_applications_submitted_unless_draft CHECK (status = 'draft' OR status = 'withdrawn' OR submitted_at IS NOT NULL)
);
CREATE INDEX fund_applications_fund_idx ON fund_applications (fund_id, status);
CREATE INDEX fund_applications_applicant_idx ON fund_applications (applicant_id) WHERE applicant_id IS NOT NULL;
CREATE INDEX fund_applications_partner_idx ON fund_applications (applicant_partner_id) WHERE applicant_partner_id IS NOT NULL;
CREATE INDEX fund_applications_district_idx ON fund_applications (district_id, status);
CREATE INDEX fund_applications_concern_idx ON fund_applications (concern_id) WHERE concern_id IS NOT NULL;
CREATE INDEX fund_applications_decided_by_user_idx ON fund_applications (decided_by_user) WHERE decided_by_user IS NOT NULL;
CREATE INDEX fund_applications_minutes_idx ON fund_applications (minutes_occurrence_id) WHERE minutes_occurrence_id IS NOT NULL;

-- The cost plan: what the money is for, line by line.
CREATE TABLE fund_application_cost_lines (
    application_id uuid NOT NULL CONSTRAINT fund_application_cost_lines_application_id_fkey REFERENCES fund_applications (id) ON DELETE CASCADE,
    position       smallint NOT NULL CONSTRAINT fund_application_cost_lines_position_range CHECK (position BETWEEN 1 AND 50),
    label          text NOT NULL CONSTRAINT fund_application_cost_lines_label_length CHECK (char_length(label) BETWEEN 1 AND 200),
    amount_cents   bigint NOT NULL CONSTRAINT fund_application_cost_lines_amount_range CHECK (amount_cents BETWEEN 0 AND 1000000000),
    PRIMARY KEY (application_id, position)
);

-- The partners involved in a project, besides the one applying.
CREATE TABLE fund_application_partners (
    application_id uuid NOT NULL CONSTRAINT fund_application_partners_application_id_fkey REFERENCES fund_applications (id) ON DELETE CASCADE,
    partner_id     uuid NOT NULL CONSTRAINT fund_application_partners_partner_id_fkey REFERENCES partners (id) ON DELETE CASCADE,
    PRIMARY KEY (application_id, partner_id)
);
CREATE INDEX fund_application_partners_partner_idx ON fund_application_partners (partner_id);
