-- Neighbourly help: needs and offers between neighbours, mediated by a centre, private by
-- default (quartier_domain::help). The public sees what is asked, in which district and
-- roughly where (a 500 m cell), never who or the exact place.

CREATE TABLE help_requests (
    id                    uuid PRIMARY KEY,
    -- The centre whose staff mediate it, and its operator (whose keys and events it is).
    centre_id             uuid NOT NULL CONSTRAINT help_requests_centre_id_fkey REFERENCES centres (id) ON DELETE RESTRICT,
    operator_id           uuid NOT NULL CONSTRAINT help_requests_operator_id_fkey REFERENCES operators (id) ON DELETE RESTRICT,
    district_id           uuid NOT NULL CONSTRAINT help_requests_district_id_fkey REFERENCES districts (id) ON DELETE RESTRICT,
    -- The INSPIRE name of the 500 m cell it is in (ETRS89-LAEA); the point is never stored.
    grid_cell             text CONSTRAINT help_requests_grid_cell_format CHECK (grid_cell ~ '^CRS3035RES500mN[0-9]{1,8}E[0-9]{1,8}$'),
    kind                  text NOT NULL CONSTRAINT help_requests_kind_known CHECK (kind IN ('need', 'offer')),
    category              text NOT NULL CONSTRAINT help_requests_category_known CHECK (category IN
                              ('errand', 'accompaniment', 'small_repair', 'technology', 'visit', 'childcare', 'lending', 'other')),
    summary               text NOT NULL CONSTRAINT help_requests_summary_length CHECK (char_length(summary) BETWEEN 1 AND 200),
    -- What only staff, the person and matched helpers read.
    details               text CONSTRAINT help_requests_details_length CHECK (char_length(details) BETWEEN 1 AND 2000),
    window_starts_at      timestamptz NOT NULL,
    window_ends_at        timestamptz NOT NULL,
    urgency               text NOT NULL DEFAULT 'flexible' CONSTRAINT help_requests_urgency_known CHECK (urgency IN ('flexible', 'soon', 'urgent')),
    mode                  text NOT NULL DEFAULT 'mediated' CONSTRAINT help_requests_mode_known CHECK (mode IN ('mediated', 'direct')),
    -- What a helper must hold, valid through the window (childcare: the police certificate).
    qualification_type_id uuid CONSTRAINT help_requests_qualification_type_id_fkey REFERENCES qualification_types (id) ON DELETE RESTRICT,
    helpers_needed        smallint NOT NULL DEFAULT 1 CONSTRAINT help_requests_helpers_needed_range CHECK (helpers_needed BETWEEN 1 AND 10),
    -- The matches holding a place (accepted by the helper, matched or completed): changed
    -- only together with them, under this row's lock; never more than needed.
    helpers_holding       smallint NOT NULL DEFAULT 0 CONSTRAINT help_requests_helpers_holding_within_needed CHECK (helpers_holding BETWEEN 0 AND helpers_needed),
    -- Whose request it is: an account or a guest (gone once erased), or someone staff
    -- recorded (no account: her name and phone below, with the date of her consent).
    person_id             uuid CONSTRAINT help_requests_person_id_fkey REFERENCES users (id) ON DELETE SET NULL,
    recorded_by           uuid CONSTRAINT help_requests_recorded_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    recorded              boolean NOT NULL DEFAULT false,
    consent_on            date,
    contact_name          text CONSTRAINT help_requests_contact_name_length CHECK (char_length(contact_name) BETWEEN 1 AND 100),
    contact_phone         text CONSTRAINT help_requests_contact_phone_length CHECK (char_length(contact_phone) BETWEEN 3 AND 40),
    status                text NOT NULL DEFAULT 'open' CONSTRAINT help_requests_status_known CHECK (status IN ('open', 'matched', 'done', 'expired', 'withdrawn')),
    expires_at            timestamptz NOT NULL,
    ended_at              timestamptz,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    version               integer NOT NULL DEFAULT 1 CONSTRAINT help_requests_version_positive CHECK (version >= 1),
    CONSTRAINT help_requests_window_forward CHECK (window_ends_at > window_starts_at),
    CONSTRAINT help_requests_expiry_within_ninety_days CHECK (expires_at > created_at AND expires_at <= created_at + interval '90 days'),
    CONSTRAINT help_requests_childcare_qualified CHECK (category <> 'childcare' OR qualification_type_id IS NOT NULL),
    -- A recorded request names her consent, and is nobody's account.
    CONSTRAINT help_requests_recorded_with_consent CHECK (
        recorded = (consent_on IS NOT NULL) AND (NOT recorded OR person_id IS NULL)),
    CONSTRAINT help_requests_contact_only_recorded CHECK (recorded OR (contact_name IS NULL AND contact_phone IS NULL)),
    CONSTRAINT help_requests_ended_when_final CHECK ((status IN ('done', 'expired', 'withdrawn')) = (ended_at IS NOT NULL))
);
CREATE INDEX help_requests_listed_idx ON help_requests (district_id, created_at) WHERE status = 'open';
CREATE INDEX help_requests_centre_idx ON help_requests (centre_id, status);
CREATE INDEX help_requests_operator_idx ON help_requests (operator_id);
CREATE INDEX help_requests_person_idx ON help_requests (person_id) WHERE person_id IS NOT NULL;
CREATE INDEX help_requests_recorded_by_idx ON help_requests (recorded_by) WHERE recorded_by IS NOT NULL;
CREATE INDEX help_requests_qualification_idx ON help_requests (qualification_type_id) WHERE qualification_type_id IS NOT NULL;
CREATE INDEX help_requests_expiring_idx ON help_requests (expires_at) WHERE status = 'open';

CREATE TABLE help_matches (
    id          uuid PRIMARY KEY,
    request_id  uuid NOT NULL CONSTRAINT help_matches_request_id_fkey REFERENCES help_requests (id) ON DELETE CASCADE,
    -- The one who helps (for an offer: who takes it up); gone once erased.
    helper_id   uuid CONSTRAINT help_matches_helper_id_fkey REFERENCES users (id) ON DELETE SET NULL,
    status      text NOT NULL CONSTRAINT help_matches_status_known CHECK (status IN
                    ('proposed', 'accepted_by_helper', 'matched', 'completed', 'declined', 'no_show', 'cancelled')),
    proposed_by uuid CONSTRAINT help_matches_proposed_by_fkey REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    matched_at  timestamptz,
    ended_at    timestamptz,
    version     integer NOT NULL DEFAULT 1 CONSTRAINT help_matches_version_positive CHECK (version >= 1),
    -- A helper is matched to a request once.
    CONSTRAINT help_matches_once UNIQUE (request_id, helper_id),
    CONSTRAINT help_matches_ended_when_final CHECK ((status IN ('completed', 'declined', 'no_show', 'cancelled')) = (ended_at IS NOT NULL))
);
CREATE INDEX help_matches_helper_idx ON help_matches (helper_id) WHERE helper_id IS NOT NULL;
CREATE INDEX help_matches_proposed_by_idx ON help_matches (proposed_by) WHERE proposed_by IS NOT NULL;

-- Guests ask without an account: the checked request waits here for the confirmation of the
-- mailed link, and is made when it comes.
CREATE TABLE help_request_drafts (
    id          uuid PRIMARY KEY,
    user_id     uuid NOT NULL
        CONSTRAINT help_request_drafts_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
    centre_id   uuid NOT NULL
        CONSTRAINT help_request_drafts_centre_id_fkey REFERENCES centres (id) ON DELETE CASCADE,
    -- The name she gave with it: hers once she confirms.
    name        text NOT NULL CONSTRAINT help_request_drafts_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    -- The checked fields of the request; checked again when it is confirmed.
    draft       jsonb NOT NULL
        CONSTRAINT help_request_drafts_draft_object CHECK (jsonb_typeof(draft) = 'object' AND octet_length(draft::text) <= 16384),
    -- The SHA-256 of the confirmation link's token (derived from the id with a server key).
    token_hash  bytea NOT NULL CONSTRAINT help_request_drafts_token_hash_key UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    expires_at  timestamptz NOT NULL,
    CONSTRAINT help_request_drafts_expiry_after_creation CHECK (expires_at > created_at)
);
CREATE INDEX help_request_drafts_user_id_idx ON help_request_drafts (user_id);
CREATE INDEX help_request_drafts_centre_id_idx ON help_request_drafts (centre_id);
CREATE INDEX help_request_drafts_expires_at_idx ON help_request_drafts (expires_at);

-- A helper's own cap on how often she helps a neighbour in a month.
ALTER TABLE volunteer_profiles
    ADD COLUMN max_help_per_month integer CONSTRAINT volunteer_profiles_max_help_per_month_range CHECK (max_help_per_month BETWEEN 1 AND 100);

-- An operator's own system mediates neighbourly help: the scope help:write.
ALTER TABLE api_keys
    DROP CONSTRAINT api_keys_scopes_known,
    ADD CONSTRAINT api_keys_scopes_known CHECK (cardinality(scopes) BETWEEN 1 AND 11 AND scopes <@ ARRAY[
        'activities:write', 'shifts:write', 'signups:write', 'roster:read', 'webhooks:manage',
        'concerns:write', 'partners:write', 'rooms:write', 'reports:read', 'funds:write',
        'help:write']::text[]);

-- Both sides of a match hear of its steps: a proposal, a helper's yes, both agreeing, and
-- the end; contacts follow only in the API, once both said yes.
ALTER TABLE notifications
    DROP CONSTRAINT notifications_kind_known,
    ADD CONSTRAINT notifications_kind_known CHECK (kind IN (
        'api_keys_creator_left', 'email_verification', 'email_change_requested',
        'password_reset', 'password_changed',
        'signup_confirmed', 'signup_waitlisted', 'signup_promoted', 'signup_cancelled',
        'shift_moved', 'shift_reminder', 'shift_message', 'staff_invitation',
        'guest_hold', 'guest_link', 'help_wanted', 'staff_summary', 'concern_answered',
        'guest_concern', 'room_booking_decided', 'guest_room_booking', 'standing_offer',
        'fund_application_decided', 'guest_fund_application', 'help_match', 'guest_help_request'));
