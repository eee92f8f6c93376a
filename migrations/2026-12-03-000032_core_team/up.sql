-- The core team of the neighbourhood work: the town's coordinator (Quartierskoordination)
-- reads concerns of the whole town; a district manager (Quartiersmanagement) those of named
-- districts and the districts inside them.
CREATE TABLE core_team_members (
    user_id    uuid PRIMARY KEY CONSTRAINT core_team_members_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL CONSTRAINT core_team_members_role_known CHECK (role IN ('town_coordinator', 'district_manager')),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE core_team_districts (
    user_id     uuid NOT NULL CONSTRAINT core_team_districts_user_id_fkey REFERENCES core_team_members (user_id) ON DELETE CASCADE,
    district_id uuid NOT NULL CONSTRAINT core_team_districts_district_id_fkey REFERENCES districts (id) ON DELETE CASCADE,
    CONSTRAINT core_team_districts_pkey PRIMARY KEY (user_id, district_id)
);
CREATE INDEX core_team_districts_district_idx ON core_team_districts (district_id);
