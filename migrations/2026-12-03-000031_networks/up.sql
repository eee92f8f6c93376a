-- Networks of the neighbourhood work: the Quartiersnetzwerk, a Runder Tisch, the
-- Quartiersbeirat, the Kernteam. Partners and persons are members; joining needs the other
-- side's consent (an invitation accepted, or a request granted), and the database refuses two
-- live memberships of the same member in one network.
CREATE TABLE networks (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CONSTRAINT networks_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    kind        text NOT NULL CONSTRAINT networks_kind_known CHECK (kind IN
                    ('neighbourhood_network', 'round_table', 'advisory_board', 'core_team', 'other')),
    description text NOT NULL DEFAULT '' CONSTRAINT networks_description_length CHECK (char_length(description) <= 4000),
    district_id uuid CONSTRAINT networks_district_id_fkey REFERENCES districts (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT networks_name_key UNIQUE (name)
);

CREATE TABLE network_memberships (
    id         uuid PRIMARY KEY,
    network_id uuid NOT NULL CONSTRAINT network_memberships_network_id_fkey REFERENCES networks (id) ON DELETE CASCADE,
    -- The member: a partner or a person.
    partner_id uuid CONSTRAINT network_memberships_partner_id_fkey REFERENCES partners (id) ON DELETE CASCADE,
    user_id    uuid CONSTRAINT network_memberships_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL DEFAULT 'member' CONSTRAINT network_memberships_role_known CHECK (role IN ('member', 'chair', 'deputy', 'guest')),
    status     text NOT NULL CONSTRAINT network_memberships_status_known CHECK (status IN ('invited', 'requested', 'active', 'declined', 'left')),
    since      date,
    until      date,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT network_memberships_one_member CHECK (num_nonnulls(partner_id, user_id) = 1),
    CONSTRAINT network_memberships_active_since CHECK (status NOT IN ('active', 'left') OR since IS NOT NULL),
    CONSTRAINT network_memberships_left_until CHECK ((status = 'left') = (until IS NOT NULL)),
    CONSTRAINT network_memberships_until_after_since CHECK (until IS NULL OR until >= since)
);
-- One live membership (invited, requested or active) per member and network.
CREATE UNIQUE INDEX network_memberships_live_partner ON network_memberships (network_id, partner_id)
    WHERE partner_id IS NOT NULL AND status IN ('invited', 'requested', 'active');
CREATE UNIQUE INDEX network_memberships_live_person ON network_memberships (network_id, user_id)
    WHERE user_id IS NOT NULL AND status IN ('invited', 'requested', 'active');
CREATE INDEX network_memberships_network_idx ON network_memberships (network_id, status);
CREATE INDEX network_memberships_partner_idx ON network_memberships (partner_id) WHERE partner_id IS NOT NULL;
CREATE INDEX network_memberships_user_idx ON network_memberships (user_id) WHERE user_id IS NOT NULL;
