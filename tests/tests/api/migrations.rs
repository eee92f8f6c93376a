//! Every migration runs up, down and up again, and leaves the schema the code expects.

use diesel::QueryableByName;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use quartier_persistence::database::{self, MIGRATIONS};
use quartier_tests::TestDb;

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
}

async fn columns(db: &TestDb) -> Vec<Column> {
    let mut conn = database::connect(db.url()).await.expect("connect");
    diesel::sql_query(
        "SELECT table_name::text, column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations' ORDER BY 1, 2",
    )
    .load(&mut conn)
    .await
    .expect("columns")
}

#[derive(QueryableByName)]
struct Object {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Relations (tables, indexes, sequences, views), types and functions in `public`, besides
/// diesel's own bookkeeping.
async fn leftover_objects(db: &TestDb) -> Vec<String> {
    let mut conn = database::connect(db.url()).await.expect("connect");
    let objects: Vec<Object> = diesel::sql_query(
        "SELECT 'relation ' || c.relname AS name FROM pg_class c \
           JOIN pg_namespace n ON n.oid = c.relnamespace \
          WHERE n.nspname = 'public' AND c.relname NOT LIKE '\\_\\_diesel\\_schema\\_migrations%' \
         UNION ALL \
         SELECT 'type ' || t.typname FROM pg_type t \
           JOIN pg_namespace n ON n.oid = t.typnamespace \
          WHERE n.nspname = 'public' AND t.typname NOT LIKE '%\\_\\_diesel\\_schema\\_migrations' \
         UNION ALL \
         SELECT 'function ' || p.proname FROM pg_proc p \
           JOIN pg_namespace n ON n.oid = p.pronamespace \
          WHERE n.nspname = 'public'",
    )
    .load(&mut conn)
    .await
    .expect("objects");
    objects.into_iter().map(|o| o.name).collect()
}

#[tokio::test]
async fn migrations_run_up_down_up() {
    use diesel::migration::MigrationSource;
    let db = TestDb::empty().await;
    let total = MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS)
        .expect("embedded")
        .len();

    let applied = database::run_migrations(db.url()).await.expect("up");
    assert_eq!(applied.len(), total);
    let after_up = columns(&db).await;
    assert!(!after_up.is_empty());
    assert!(
        leftover_objects(&db)
            .await
            .contains(&"relation users_email_key".to_owned())
    );

    let reverted = database::revert_all_migrations(db.url())
        .await
        .expect("down");
    assert_eq!(reverted.len(), total);
    assert_eq!(
        columns(&db).await,
        Vec::new(),
        "down.sql leaves nothing behind"
    );
    assert_eq!(
        leftover_objects(&db).await,
        Vec::<String>::new(),
        "down.sql leaves nothing behind"
    );

    database::run_migrations(db.url()).await.expect("up again");
    assert_eq!(columns(&db).await, after_up);
    assert!(
        database::run_migrations(db.url())
            .await
            .expect("nothing pending")
            .is_empty()
    );
}

#[tokio::test]
async fn the_schema_matches_what_diesel_is_told() {
    let db = TestDb::migrated().await;
    let found = columns(&db).await;
    let has = |table: &str, column: &str, data_type: &str| {
        found
            .iter()
            .any(|c| c.table_name == table && c.column_name == column && c.data_type == data_type)
    };
    let expected = [
        ("users", "id", "uuid"),
        ("users", "email", "text"),
        ("users", "display_name", "text"),
        ("users", "password_hash", "text"),
        ("users", "role", "text"),
        ("users", "privacy_consent_at", "timestamp with time zone"),
        ("users", "created_at", "timestamp with time zone"),
        ("users", "updated_at", "timestamp with time zone"),
        ("users", "version", "integer"),
        ("users", "privacy_policy_version", "text"),
        ("refresh_tokens", "id", "uuid"),
        ("refresh_tokens", "user_id", "uuid"),
        ("refresh_tokens", "family_id", "uuid"),
        ("refresh_tokens", "token_hash", "bytea"),
        ("refresh_tokens", "created_at", "timestamp with time zone"),
        ("refresh_tokens", "expires_at", "timestamp with time zone"),
        ("refresh_tokens", "used_at", "timestamp with time zone"),
        ("refresh_tokens", "revoked_at", "timestamp with time zone"),
        ("districts", "id", "uuid"),
        ("districts", "name", "text"),
        ("districts", "slug", "text"),
        ("districts", "town", "text"),
        ("districts", "parent_id", "uuid"),
        ("districts", "latitude", "double precision"),
        ("districts", "longitude", "double precision"),
        ("districts", "created_at", "timestamp with time zone"),
        ("districts", "updated_at", "timestamp with time zone"),
        ("districts", "version", "integer"),
        ("operators", "id", "uuid"),
        ("operators", "name", "text"),
        ("operators", "kind", "text"),
        ("operators", "description", "text"),
        ("operators", "website", "text"),
        ("operators", "contact_email", "text"),
        ("operators", "contact_phone", "text"),
        ("operators", "status", "text"),
        ("operators", "created_at", "timestamp with time zone"),
        ("operators", "updated_at", "timestamp with time zone"),
        ("operators", "version", "integer"),
        ("operator_members", "operator_id", "uuid"),
        ("operator_members", "user_id", "uuid"),
        ("operator_members", "role", "text"),
        ("operator_members", "created_at", "timestamp with time zone"),
        ("centres", "id", "uuid"),
        ("centres", "operator_id", "uuid"),
        ("centres", "district_id", "uuid"),
        ("centres", "name", "text"),
        ("centres", "kind", "text"),
        ("centres", "description", "text"),
        ("centres", "street", "text"),
        ("centres", "postcode", "text"),
        ("centres", "town", "text"),
        ("centres", "latitude", "double precision"),
        ("centres", "longitude", "double precision"),
        ("centres", "phone", "text"),
        ("centres", "email", "text"),
        ("centres", "languages", "ARRAY"),
        ("centres", "step_free", "boolean"),
        ("centres", "accessible_toilet", "boolean"),
        ("centres", "hearing_loop", "boolean"),
        ("centres", "disabled_parking", "boolean"),
        ("centres", "accessibility_notes", "text"),
        ("centres", "contact_user_id", "uuid"),
        ("centres", "contact_role", "text"),
        ("centres", "status", "text"),
        ("centres", "search", "tsvector"),
        ("centres", "created_at", "timestamp with time zone"),
        ("centres", "updated_at", "timestamp with time zone"),
        ("centres", "version", "integer"),
        ("centre_opening_hours", "centre_id", "uuid"),
        ("centre_opening_hours", "weekday", "smallint"),
        ("centre_opening_hours", "opens", "time without time zone"),
        ("centre_opening_hours", "closes", "time without time zone"),
        ("centre_closures", "centre_id", "uuid"),
        ("centre_closures", "date", "date"),
        ("centre_closures", "note", "text"),
        ("operator_member_centres", "operator_id", "uuid"),
        ("operator_member_centres", "user_id", "uuid"),
        ("operator_member_centres", "centre_id", "uuid"),
        ("activities", "id", "uuid"),
        ("activities", "centre_id", "uuid"),
        ("activities", "title", "text"),
        ("activities", "description", "text"),
        ("activities", "category", "text"),
        ("activities", "target_groups", "ARRAY"),
        ("activities", "languages", "ARRAY"),
        ("activities", "accessibility_notes", "text"),
        ("activities", "free_of_charge", "boolean"),
        ("activities", "cost_cents", "integer"),
        ("activities", "cost_note", "text"),
        ("activities", "registration_required", "boolean"),
        ("activities", "participant_limit", "integer"),
        ("activities", "contact_name", "text"),
        ("activities", "contact_email", "text"),
        ("activities", "contact_phone", "text"),
        ("activities", "status", "text"),
        ("activities", "schedule_kind", "text"),
        ("activities", "time_zone", "text"),
        (
            "activities",
            "first_start_local",
            "timestamp without time zone",
        ),
        ("activities", "first_start", "timestamp with time zone"),
        ("activities", "duration_minutes", "integer"),
        ("activities", "rrule", "text"),
        ("activities", "excluded_dates", "ARRAY"),
        (
            "activities",
            "materialized_until",
            "timestamp with time zone",
        ),
        ("activities", "created_at", "timestamp with time zone"),
        ("activities", "updated_at", "timestamp with time zone"),
        ("activities", "version", "integer"),
        ("activities", "search", "tsvector"),
        ("occurrences", "id", "uuid"),
        ("occurrences", "activity_id", "uuid"),
        ("occurrences", "original_start", "timestamp with time zone"),
        ("occurrences", "starts_at", "timestamp with time zone"),
        ("occurrences", "ends_at", "timestamp with time zone"),
        ("occurrences", "moved", "boolean"),
        ("occurrences", "detached", "boolean"),
        ("occurrences", "cancelled", "boolean"),
        ("occurrences", "cancellation_reason", "text"),
        ("occurrences", "note", "text"),
        ("occurrences", "participants", "integer"),
        ("occurrences", "sequence", "integer"),
        ("occurrences", "created_at", "timestamp with time zone"),
        ("occurrences", "updated_at", "timestamp with time zone"),
        ("occurrences", "version", "integer"),
        ("shifts", "id", "uuid"),
        ("shifts", "centre_id", "uuid"),
        ("shifts", "occurrence_id", "uuid"),
        ("shifts", "title", "text"),
        ("shifts", "starts_at", "timestamp with time zone"),
        ("shifts", "ends_at", "timestamp with time zone"),
        ("shifts", "capacity", "integer"),
        ("shifts", "created_at", "timestamp with time zone"),
        ("shifts", "updated_at", "timestamp with time zone"),
        ("shifts", "version", "integer"),
        ("qualification_types", "id", "uuid"),
        ("qualification_types", "code", "text"),
        ("qualification_types", "operator_id", "uuid"),
        ("qualification_types", "name", "text"),
        ("qualification_types", "validity_months", "integer"),
        (
            "qualification_types",
            "created_at",
            "timestamp with time zone",
        ),
        ("volunteer_qualifications", "id", "uuid"),
        ("volunteer_qualifications", "user_id", "uuid"),
        ("volunteer_qualifications", "type_id", "uuid"),
        ("volunteer_qualifications", "issued_on", "date"),
        (
            "volunteer_qualifications",
            "created_at",
            "timestamp with time zone",
        ),
        (
            "volunteer_qualifications",
            "updated_at",
            "timestamp with time zone",
        ),
        ("volunteer_qualifications", "version", "integer"),
        ("shift_qualifications", "shift_id", "uuid"),
        ("shift_qualifications", "type_id", "uuid"),
        ("signups", "id", "uuid"),
        ("signups", "shift_id", "uuid"),
        ("signups", "user_id", "uuid"),
        ("signups", "status", "text"),
        ("signups", "starts_at", "timestamp with time zone"),
        ("signups", "ends_at", "timestamp with time zone"),
        ("signups", "queued_at", "timestamp with time zone"),
        ("signups", "signed_up_by", "uuid"),
        ("signups", "confirmed_at", "timestamp with time zone"),
        ("signups", "cancelled_at", "timestamp with time zone"),
        ("signups", "cancelled_by", "uuid"),
        ("signups", "late_cancellation", "boolean"),
        ("signups", "checked_in_at", "timestamp with time zone"),
        ("signups", "minutes_worked", "integer"),
        ("signups", "created_at", "timestamp with time zone"),
        ("signups", "updated_at", "timestamp with time zone"),
        ("signups", "version", "integer"),
        ("public_changes", "id", "bigint"),
        ("public_changes", "source", "text"),
        ("public_changes", "changed_at", "timestamp with time zone"),
        ("outbox_events", "id", "uuid"),
        ("outbox_events", "kind", "text"),
        ("outbox_events", "operator_id", "uuid"),
        ("outbox_events", "subject_id", "uuid"),
        ("outbox_events", "payload", "text"),
        ("outbox_events", "created_at", "timestamp with time zone"),
        ("outbox_events", "published_at", "timestamp with time zone"),
        ("idempotency_keys", "owner_id", "uuid"),
        ("idempotency_keys", "key", "text"),
        ("idempotency_keys", "request_hash", "bytea"),
        ("idempotency_keys", "status", "integer"),
        ("idempotency_keys", "body", "text"),
        ("idempotency_keys", "created_at", "timestamp with time zone"),
        ("shifts", "description", "text"),
        ("calendar_feeds", "user_id", "uuid"),
        ("calendar_feeds", "token_hash", "bytea"),
        ("calendar_feeds", "created_at", "timestamp with time zone"),
        ("shifts", "skills", "ARRAY"),
        ("volunteer_profiles", "user_id", "uuid"),
        ("volunteer_profiles", "phone", "text"),
        ("volunteer_profiles", "languages", "ARRAY"),
        ("volunteer_profiles", "skills", "ARRAY"),
        ("volunteer_profiles", "district_ids", "ARRAY"),
        ("volunteer_profiles", "availability", "text"),
        ("volunteer_profiles", "contact_by", "text"),
        (
            "volunteer_profiles",
            "updated_at",
            "timestamp with time zone",
        ),
        ("volunteer_profiles", "version", "integer"),
        ("volunteer_profiles", "max_shifts_per_week", "integer"),
        ("volunteer_profiles", "max_shifts_per_month", "integer"),
        ("workload_policies", "operator_id", "uuid"),
        ("workload_policies", "max_minutes_per_day", "integer"),
        ("workload_policies", "max_minutes_per_week", "integer"),
        ("workload_policies", "max_shifts_per_week", "integer"),
        ("workload_policies", "min_rest_minutes", "integer"),
        ("workload_policies", "max_future_signups", "integer"),
        ("workload_policies", "binds_staff", "boolean"),
        (
            "workload_policies",
            "updated_at",
            "timestamp with time zone",
        ),
        ("workload_policies", "version", "integer"),
        ("workload_category_policies", "operator_id", "uuid"),
        ("workload_category_policies", "category", "text"),
        (
            "workload_category_policies",
            "max_minutes_per_day",
            "integer",
        ),
        (
            "workload_category_policies",
            "max_minutes_per_week",
            "integer",
        ),
        (
            "workload_category_policies",
            "max_shifts_per_week",
            "integer",
        ),
        ("workload_category_policies", "min_rest_minutes", "integer"),
        (
            "workload_category_policies",
            "max_future_signups",
            "integer",
        ),
        ("standing_signups", "id", "uuid"),
        ("standing_signups", "user_id", "uuid"),
        ("standing_signups", "activity_id", "uuid"),
        ("standing_signups", "operator_id", "uuid"),
        ("standing_signups", "slot_start", "time without time zone"),
        ("standing_signups", "slot_title", "text"),
        ("standing_signups", "pattern", "text"),
        ("standing_signups", "weekday", "smallint"),
        ("standing_signups", "anchor_date", "date"),
        ("standing_signups", "week_of_month", "smallint"),
        ("standing_signups", "valid_from", "date"),
        ("standing_signups", "valid_until", "date"),
        ("standing_signups", "status", "text"),
        ("standing_signups", "created_by", "uuid"),
        (
            "standing_signups",
            "claimed_until",
            "timestamp with time zone",
        ),
        ("standing_signups", "created_at", "timestamp with time zone"),
        ("standing_signups", "updated_at", "timestamp with time zone"),
        ("standing_signups", "ended_at", "timestamp with time zone"),
        ("standing_signups", "version", "integer"),
        ("standing_signups", "mode", "text"),
        ("standing_signups", "answer_hours", "integer"),
        ("standing_dates", "standing_signup_id", "uuid"),
        ("standing_dates", "shift_id", "uuid"),
        ("standing_dates", "signup_id", "uuid"),
        ("standing_dates", "outcome", "text"),
        ("standing_dates", "created_at", "timestamp with time zone"),
        ("standing_dates", "answer_by", "timestamp with time zone"),
        ("standing_dates", "answered_at", "timestamp with time zone"),
        ("blockouts", "id", "uuid"),
        ("blockouts", "user_id", "uuid"),
        ("blockouts", "starts_on", "date"),
        ("blockouts", "ends_on", "date"),
        ("blockouts", "weekly_until", "date"),
        ("blockouts", "note", "text"),
        ("blockouts", "created_at", "timestamp with time zone"),
        ("signups", "standing_signup_id", "uuid"),
        ("shifts", "standing_max", "integer"),
        ("shifts", "min_age_note", "text"),
        ("shifts", "status", "text"),
        ("shifts", "confirmed_count", "integer"),
        ("activities", "operator_id", "uuid"),
        ("activities", "external_id", "text"),
        ("shifts", "operator_id", "uuid"),
        ("shifts", "external_id", "text"),
        ("occurrences", "external_id", "text"),
        ("occurrences", "external_operator_id", "uuid"),
        ("api_keys", "id", "uuid"),
        ("api_keys", "operator_id", "uuid"),
        ("api_keys", "name", "text"),
        ("api_keys", "prefix", "text"),
        ("api_keys", "secret_hash", "bytea"),
        ("api_keys", "scopes", "ARRAY"),
        ("api_keys", "expires_at", "timestamp with time zone"),
        ("api_keys", "last_used_at", "timestamp with time zone"),
        ("api_keys", "created_by", "uuid"),
        ("api_keys", "created_at", "timestamp with time zone"),
        ("api_keys", "revoked_at", "timestamp with time zone"),
        ("api_keys", "revoked_by", "uuid"),
        ("webhook_subscriptions", "id", "uuid"),
        ("webhook_subscriptions", "operator_id", "uuid"),
        ("webhook_subscriptions", "url", "text"),
        ("webhook_subscriptions", "description", "text"),
        ("webhook_subscriptions", "events", "ARRAY"),
        ("webhook_subscriptions", "secret", "text"),
        ("webhook_subscriptions", "active", "boolean"),
        ("webhook_subscriptions", "disabled_reason", "text"),
        (
            "webhook_subscriptions",
            "disabled_at",
            "timestamp with time zone",
        ),
        (
            "webhook_subscriptions",
            "failing_since",
            "timestamp with time zone",
        ),
        (
            "webhook_subscriptions",
            "created_at",
            "timestamp with time zone",
        ),
        (
            "webhook_subscriptions",
            "updated_at",
            "timestamp with time zone",
        ),
        ("webhook_subscriptions", "version", "integer"),
        ("webhook_deliveries", "id", "uuid"),
        ("webhook_deliveries", "subscription_id", "uuid"),
        ("webhook_deliveries", "event_id", "uuid"),
        ("webhook_deliveries", "event_type", "text"),
        ("webhook_deliveries", "body", "text"),
        ("webhook_deliveries", "status", "text"),
        ("webhook_deliveries", "attempts", "integer"),
        (
            "webhook_deliveries",
            "next_attempt_at",
            "timestamp with time zone",
        ),
        (
            "webhook_deliveries",
            "last_attempt_at",
            "timestamp with time zone",
        ),
        ("webhook_deliveries", "last_status", "integer"),
        ("webhook_deliveries", "last_error", "text"),
        (
            "webhook_deliveries",
            "delivered_at",
            "timestamp with time zone",
        ),
        (
            "webhook_deliveries",
            "created_at",
            "timestamp with time zone",
        ),
        ("webhook_attempts", "id", "uuid"),
        ("webhook_attempts", "delivery_id", "uuid"),
        (
            "webhook_attempts",
            "attempted_at",
            "timestamp with time zone",
        ),
        ("webhook_attempts", "status", "integer"),
        ("webhook_attempts", "error", "text"),
        ("webhook_attempts", "duration_ms", "integer"),
        ("webhook_attempts", "response_excerpt", "text"),
        ("signups", "anonymised_at", "timestamp with time zone"),
        ("audit_events", "id", "uuid"),
        ("audit_events", "at", "timestamp with time zone"),
        ("audit_events", "actor_user_id", "uuid"),
        ("audit_events", "actor_key_id", "uuid"),
        ("audit_events", "action", "text"),
        ("audit_events", "object_type", "text"),
        ("audit_events", "object_id", "uuid"),
        ("audit_events", "operator_id", "uuid"),
        ("audit_events", "subjects", "ARRAY"),
        ("audit_events", "details", "text"),
        ("rate_limits", "bucket", "text"),
        ("rate_limits", "window_start", "timestamp with time zone"),
        ("rate_limits", "hits", "integer"),
        ("qualification_verifications", "id", "uuid"),
        ("qualification_verifications", "user_id", "uuid"),
        ("qualification_verifications", "type_id", "uuid"),
        ("qualification_verifications", "operator_id", "uuid"),
        ("qualification_verifications", "issued_on", "date"),
        ("qualification_verifications", "inspected_on", "date"),
        ("qualification_verifications", "inspected_by", "uuid"),
        ("qualification_verifications", "expires_on", "date"),
        (
            "qualification_verifications",
            "created_at",
            "timestamp with time zone",
        ),
        (
            "qualification_verifications",
            "updated_at",
            "timestamp with time zone",
        ),
        ("qualification_verifications", "version", "integer"),
        ("operator_trusts", "operator_id", "uuid"),
        ("operator_trusts", "trusted_id", "uuid"),
        ("operator_trusts", "created_at", "timestamp with time zone"),
        ("operator_trusts", "created_by", "uuid"),
        ("accepted_verifications", "id", "uuid"),
        ("accepted_verifications", "user_id", "uuid"),
        ("accepted_verifications", "type_id", "uuid"),
        ("accepted_verifications", "expires_on", "date"),
        ("accepted_verifications", "accepted_by", "uuid"),
        ("operator_volunteers", "operator_id", "uuid"),
        ("operator_volunteers", "user_id", "uuid"),
        (
            "operator_volunteers",
            "joined_at",
            "timestamp with time zone",
        ),
        ("api_keys", "creator_left_at", "timestamp with time zone"),
        ("api_keys", "replaced_by", "uuid"),
        ("notifications", "id", "uuid"),
        ("notifications", "user_id", "uuid"),
        ("notifications", "kind", "text"),
        ("notifications", "operator_id", "uuid"),
        ("notifications", "details", "text"),
        ("notifications", "created_at", "timestamp with time zone"),
        ("notifications", "read_at", "timestamp with time zone"),
        ("notifications", "address", "text"),
        ("notifications", "dedup_key", "text"),
        ("notifications", "due_at", "timestamp with time zone"),
        ("notifications", "state", "text"),
        ("notifications", "attempts", "integer"),
        ("notifications", "leased_until", "timestamp with time zone"),
        (
            "notifications",
            "next_attempt_at",
            "timestamp with time zone",
        ),
        ("notifications", "sent_at", "timestamp with time zone"),
        ("notifications", "last_error", "text"),
        ("users", "email_verified_at", "timestamp with time zone"),
        ("users", "token_generation", "integer"),
        ("users", "language", "text"),
        ("account_tokens", "id", "uuid"),
        ("account_tokens", "user_id", "uuid"),
        ("account_tokens", "purpose", "text"),
        ("account_tokens", "email", "text"),
        ("account_tokens", "token_hash", "bytea"),
        ("account_tokens", "created_at", "timestamp with time zone"),
        ("account_tokens", "expires_at", "timestamp with time zone"),
        ("account_tokens", "used_at", "timestamp with time zone"),
        ("notification_preferences", "user_id", "uuid"),
        ("notification_preferences", "kind", "text"),
        ("notification_preferences", "delivery", "text"),
        ("notification_preferences", "lead_hours", "integer"),
        (
            "notification_preferences",
            "updated_at",
            "timestamp with time zone",
        ),
        ("shift_messages", "id", "uuid"),
        ("shift_messages", "shift_id", "uuid"),
        ("shift_messages", "sent_by", "uuid"),
        ("shift_messages", "subject", "text"),
        ("shift_messages", "body", "text"),
        ("shift_messages", "recipients", "integer"),
        ("shift_messages", "created_at", "timestamp with time zone"),
        ("staff_invitations", "id", "uuid"),
        ("staff_invitations", "operator_id", "uuid"),
        ("staff_invitations", "email", "text"),
        ("staff_invitations", "role", "text"),
        ("staff_invitations", "centre_ids", "ARRAY"),
        ("staff_invitations", "invited_by", "uuid"),
        ("staff_invitations", "token_hash", "bytea"),
        (
            "staff_invitations",
            "created_at",
            "timestamp with time zone",
        ),
        (
            "staff_invitations",
            "expires_at",
            "timestamp with time zone",
        ),
        (
            "staff_invitations",
            "accepted_at",
            "timestamp with time zone",
        ),
        ("staff_invitations", "accepted_by", "uuid"),
        (
            "staff_invitations",
            "revoked_at",
            "timestamp with time zone",
        ),
        ("users", "kind", "text"),
        ("centres", "guest_signups", "boolean"),
        ("shifts", "guest_signups", "boolean"),
        ("shifts", "held_count", "integer"),
        ("shifts", "places_changed_at", "timestamp with time zone"),
        ("embed_origins", "id", "uuid"),
        ("embed_origins", "operator_id", "uuid"),
        ("embed_origins", "origin", "text"),
        ("embed_origins", "created_by", "uuid"),
        ("embed_origins", "created_at", "timestamp with time zone"),
        ("guest_holds", "id", "uuid"),
        ("guest_holds", "shift_id", "uuid"),
        ("guest_holds", "user_id", "uuid"),
        ("guest_holds", "holds_place", "boolean"),
        ("guest_holds", "token_hash", "bytea"),
        ("guest_holds", "created_at", "timestamp with time zone"),
        ("guest_holds", "expires_at", "timestamp with time zone"),
        ("guest_holds", "name", "text"),
        ("guest_holds", "standing_signup_id", "uuid"),
        ("content_languages", "tag", "text"),
        ("content_languages", "direction", "text"),
        ("content_languages", "search_config", "regconfig"),
        ("content_languages", "enabled", "boolean"),
        ("translations", "activity_id", "uuid"),
        ("translations", "centre_id", "uuid"),
        ("translations", "shift_id", "uuid"),
        ("translations", "qualification_type_id", "uuid"),
        ("translations", "concern_id", "uuid"),
        ("translations", "concern_category_id", "uuid"),
        ("translations", "room_id", "uuid"),
        ("translations", "field", "text"),
        ("translations", "tag", "text"),
        ("translations", "text", "text"),
        ("translations", "origin", "text"),
        ("translations", "reviewed", "boolean"),
        ("translations", "source_md5", "text"),
        ("translations", "search", "tsvector"),
        ("translations", "written_by", "uuid"),
        ("translations", "id", "bigint"),
        ("translations", "created_at", "timestamp with time zone"),
        ("translations", "updated_at", "timestamp with time zone"),
        ("concern_answers", "id", "uuid"),
        ("concern_answers", "concern_id", "uuid"),
        ("concern_answers", "author_id", "uuid"),
        ("concern_answers", "operator_id", "uuid"),
        ("concern_answers", "visibility", "text"),
        ("concern_answers", "text", "text"),
        ("concern_answers", "expected_on", "date"),
        (
            "concern_answers",
            "published_at",
            "timestamp with time zone",
        ),
        ("concern_answers", "created_at", "timestamp with time zone"),
        ("concern_answers", "updated_at", "timestamp with time zone"),
        ("concern_outcomes", "id", "uuid"),
        ("concern_outcomes", "concern_id", "uuid"),
        ("concern_outcomes", "kind", "text"),
        ("concern_outcomes", "activity_id", "uuid"),
        ("concern_outcomes", "occurrence_id", "uuid"),
        ("concern_outcomes", "shift_id", "uuid"),
        ("concern_outcomes", "outside_ref", "text"),
        ("concern_outcomes", "outside_url", "text"),
        ("concern_outcomes", "note", "text"),
        ("concern_outcomes", "linked_by", "uuid"),
        ("concern_outcomes", "created_at", "timestamp with time zone"),
        ("partners", "id", "uuid"),
        ("partners", "name", "text"),
        ("partners", "kind", "text"),
        ("partners", "description", "text"),
        ("partners", "topics", "ARRAY"),
        ("partners", "website", "text"),
        ("partners", "contact_email", "text"),
        ("partners", "contact_phone", "text"),
        ("partners", "address", "text"),
        ("partners", "operator_id", "uuid"),
        ("partners", "external_id", "text"),
        ("partners", "public_fields", "ARRAY"),
        ("partners", "created_at", "timestamp with time zone"),
        ("partners", "updated_at", "timestamp with time zone"),
        ("partners", "version", "integer"),
        ("partner_districts", "partner_id", "uuid"),
        ("partner_districts", "district_id", "uuid"),
        ("partner_members", "partner_id", "uuid"),
        ("partner_members", "user_id", "uuid"),
        ("partner_members", "role", "text"),
        ("partner_members", "created_at", "timestamp with time zone"),
        ("concerns", "partner_id", "uuid"),
        ("concerns", "language", "text"),
        ("concern_answers", "partner_id", "uuid"),
        ("networks", "id", "uuid"),
        ("networks", "name", "text"),
        ("networks", "kind", "text"),
        ("networks", "description", "text"),
        ("networks", "district_id", "uuid"),
        ("networks", "created_at", "timestamp with time zone"),
        ("networks", "updated_at", "timestamp with time zone"),
        ("network_memberships", "id", "uuid"),
        ("network_memberships", "network_id", "uuid"),
        ("network_memberships", "partner_id", "uuid"),
        ("network_memberships", "user_id", "uuid"),
        ("network_memberships", "role", "text"),
        ("network_memberships", "status", "text"),
        ("network_memberships", "since", "date"),
        ("network_memberships", "until", "date"),
        (
            "network_memberships",
            "created_at",
            "timestamp with time zone",
        ),
        (
            "network_memberships",
            "updated_at",
            "timestamp with time zone",
        ),
        ("core_team_members", "user_id", "uuid"),
        ("core_team_members", "role", "text"),
        (
            "core_team_members",
            "created_at",
            "timestamp with time zone",
        ),
        ("core_team_districts", "user_id", "uuid"),
        ("core_team_districts", "district_id", "uuid"),
        ("translation_generation", "only_row", "boolean"),
        ("concern_categories", "id", "uuid"),
        ("concern_categories", "name", "text"),
        ("concern_categories", "kind", "text"),
        ("concern_categories", "operator_id", "uuid"),
        ("concern_categories", "needs_moderation", "boolean"),
        (
            "concern_categories",
            "created_at",
            "timestamp with time zone",
        ),
        ("concern_categories", "version", "integer"),
        ("concern_categories", "partner_id", "uuid"),
        ("room_booking_dates", "id", "uuid"),
        ("room_booking_dates", "booking_id", "uuid"),
        ("room_booking_dates", "room_id", "uuid"),
        (
            "room_booking_dates",
            "starts_at",
            "timestamp with time zone",
        ),
        ("room_booking_dates", "ends_at", "timestamp with time zone"),
        ("room_booking_dates", "blocked", "tstzrange"),
        ("room_booking_dates", "status", "text"),
        ("room_booking_dates", "decided_by", "uuid"),
        (
            "room_booking_dates",
            "decided_at",
            "timestamp with time zone",
        ),
        ("room_booking_dates", "note", "text"),
        (
            "room_booking_dates",
            "created_at",
            "timestamp with time zone",
        ),
        ("room_bookings", "id", "uuid"),
        ("room_bookings", "room_id", "uuid"),
        ("room_bookings", "booker_kind", "text"),
        ("room_bookings", "partner_id", "uuid"),
        ("room_bookings", "requested_by", "uuid"),
        ("room_bookings", "purpose", "text"),
        ("room_bookings", "expected_people", "integer"),
        ("room_bookings", "layout", "text"),
        ("room_bookings", "public_title", "text"),
        ("room_bookings", "recurrence", "text"),
        ("room_bookings", "created_at", "timestamp with time zone"),
        ("room_bookings", "activity_id", "uuid"),
        ("concern_outcomes", "room_booking_id", "uuid"),
        ("concern_outcomes", "fund_application_id", "uuid"),
        ("room_booking_drafts", "id", "uuid"),
        ("room_booking_drafts", "user_id", "uuid"),
        ("room_booking_drafts", "room_id", "uuid"),
        ("room_booking_drafts", "name", "text"),
        ("room_booking_drafts", "draft", "jsonb"),
        ("room_booking_drafts", "token_hash", "bytea"),
        (
            "room_booking_drafts",
            "created_at",
            "timestamp with time zone",
        ),
        (
            "room_booking_drafts",
            "expires_at",
            "timestamp with time zone",
        ),
        ("room_claims", "part_id", "uuid"),
        ("room_claims", "booking_date_id", "uuid"),
        ("room_claims", "during", "tstzrange"),
        ("room_claims", "id", "bigint"),
        ("room_claims", "occurrence_id", "uuid"),
        ("room_claims", "closure_centre_id", "uuid"),
        ("room_claims", "closure_date", "date"),
        ("activity_rooms", "activity_id", "uuid"),
        ("activity_rooms", "room_id", "uuid"),
        ("activity_rooms", "set_by", "uuid"),
        ("activity_rooms", "set_at", "timestamp with time zone"),
        ("occurrence_rooms", "occurrence_id", "uuid"),
        ("occurrence_rooms", "room_id", "uuid"),
        ("room_parts", "room_id", "uuid"),
        ("room_parts", "part_id", "uuid"),
        ("rooms", "id", "uuid"),
        ("rooms", "centre_id", "uuid"),
        ("rooms", "operator_id", "uuid"),
        ("rooms", "name", "text"),
        ("rooms", "description", "text"),
        ("rooms", "capacity_seated", "integer"),
        ("rooms", "capacity_tables", "integer"),
        ("rooms", "capacity_standing", "integer"),
        ("rooms", "step_free", "boolean"),
        ("rooms", "accessible_toilet", "boolean"),
        ("rooms", "hearing_loop", "boolean"),
        ("rooms", "equipment", "ARRAY"),
        ("rooms", "bookable_by", "text"),
        ("rooms", "needs_approval", "boolean"),
        ("rooms", "min_duration_minutes", "integer"),
        ("rooms", "max_duration_minutes", "integer"),
        ("rooms", "slot_minutes", "integer"),
        ("rooms", "min_notice_hours", "integer"),
        ("rooms", "max_notice_days", "integer"),
        ("rooms", "setup_minutes", "integer"),
        ("rooms", "cleanup_minutes", "integer"),
        ("rooms", "max_future_dates", "integer"),
        ("rooms", "house_rules_url", "text"),
        ("rooms", "fee_notes", "text"),
        ("rooms", "created_at", "timestamp with time zone"),
        ("rooms", "updated_at", "timestamp with time zone"),
        ("rooms", "version", "integer"),
        ("concern_drafts", "id", "uuid"),
        ("concern_drafts", "user_id", "uuid"),
        ("concern_drafts", "name", "text"),
        ("concern_drafts", "draft", "jsonb"),
        ("concern_drafts", "token_hash", "bytea"),
        ("concern_drafts", "created_at", "timestamp with time zone"),
        ("concern_drafts", "expires_at", "timestamp with time zone"),
        (
            "concern_categories",
            "updated_at",
            "timestamp with time zone",
        ),
        ("concerns", "id", "uuid"),
        ("concerns", "kind", "text"),
        ("concerns", "category_id", "uuid"),
        ("concerns", "title", "text"),
        ("concerns", "text", "text"),
        ("concerns", "district_id", "uuid"),
        ("concerns", "centre_id", "uuid"),
        ("concerns", "latitude", "double precision"),
        ("concerns", "longitude", "double precision"),
        ("concerns", "address", "text"),
        ("concerns", "author_id", "uuid"),
        ("concerns", "show_author", "boolean"),
        ("concerns", "channel", "text"),
        ("concerns", "recorded_by", "uuid"),
        ("concerns", "consent_on", "date"),
        ("concerns", "source_occurrence_id", "uuid"),
        ("concerns", "status", "text"),
        ("concerns", "duplicate_of", "uuid"),
        ("concerns", "operator_id", "uuid"),
        ("concerns", "support_count", "integer"),
        ("concerns", "published_at", "timestamp with time zone"),
        ("concerns", "created_at", "timestamp with time zone"),
        ("concerns", "updated_at", "timestamp with time zone"),
        ("concerns", "version", "integer"),
        ("concern_supports", "id", "bigint"),
        ("concern_supports", "concern_id", "uuid"),
        ("concern_supports", "user_id", "uuid"),
        ("concern_supports", "notify", "boolean"),
        ("concern_supports", "created_at", "timestamp with time zone"),
        ("translation_generation", "generation", "bigint"),
        ("occurrences", "first_time_participants", "integer"),
        ("occurrences", "participants_age_0_13", "integer"),
        ("occurrences", "participants_age_14_17", "integer"),
        ("occurrences", "participants_age_18_26", "integer"),
        ("occurrences", "participants_age_27_64", "integer"),
        ("occurrences", "participants_age_65_plus", "integer"),
        ("users", "report_ref", "uuid"),
        ("signups", "volunteer_ref", "uuid"),
        ("report_snapshots", "id", "uuid"),
        ("report_snapshots", "title", "text"),
        ("report_snapshots", "catalogue_version", "integer"),
        ("report_snapshots", "period_first", "date"),
        ("report_snapshots", "period_last", "date"),
        ("report_snapshots", "operator_ids", "ARRAY"),
        ("report_snapshots", "small_cells_hidden", "boolean"),
        ("report_snapshots", "scope", "text"),
        ("report_snapshots", "report", "text"),
        ("report_snapshots", "goals", "text"),
        ("report_snapshots", "what_happened", "text"),
        ("report_snapshots", "observed_changes", "text"),
        ("report_snapshots", "created_by", "uuid"),
        ("report_snapshots", "created_by_key", "uuid"),
        ("report_snapshots", "created_at", "timestamp with time zone"),
        ("funds", "id", "uuid"),
        ("funds", "operator_id", "uuid"),
        ("funds", "district_id", "uuid"),
        ("funds", "committee_network_id", "uuid"),
        ("funds", "year", "smallint"),
        ("funds", "title", "text"),
        ("funds", "budget_cents", "bigint"),
        ("funds", "per_project_max_cents", "bigint"),
        ("funds", "staff_threshold_cents", "bigint"),
        ("funds", "granted_cents", "bigint"),
        ("funds", "spent_cents", "bigint"),
        ("funds", "created_by", "uuid"),
        ("funds", "created_at", "timestamp with time zone"),
        ("funds", "updated_at", "timestamp with time zone"),
        ("funds", "version", "integer"),
        ("fund_applications", "id", "uuid"),
        ("fund_applications", "fund_id", "uuid"),
        ("fund_applications", "applicant_id", "uuid"),
        ("fund_applications", "applicant_partner_id", "uuid"),
        ("fund_applications", "district_id", "uuid"),
        ("fund_applications", "concern_id", "uuid"),
        ("fund_applications", "title", "text"),
        ("fund_applications", "description", "text"),
        ("fund_applications", "goals", "text"),
        ("fund_applications", "target_groups", "ARRAY"),
        ("fund_applications", "requested_cents", "bigint"),
        ("fund_applications", "status", "text"),
        (
            "fund_applications",
            "submitted_at",
            "timestamp with time zone",
        ),
        ("fund_applications", "granted_cents", "bigint"),
        ("fund_applications", "decided_by", "text"),
        (
            "fund_applications",
            "decided_at",
            "timestamp with time zone",
        ),
        ("fund_applications", "decided_by_user", "uuid"),
        ("fund_applications", "minutes_occurrence_id", "uuid"),
        ("fund_applications", "minutes_note", "text"),
        ("fund_applications", "decline_reason", "text"),
        ("fund_applications", "actual_cost_cents", "bigint"),
        ("fund_applications", "report_text", "text"),
        ("fund_applications", "attendance", "integer"),
        ("fund_applications", "receipts_seen", "boolean"),
        (
            "fund_applications",
            "reported_at",
            "timestamp with time zone",
        ),
        ("fund_applications", "spent_cents", "bigint"),
        (
            "fund_applications",
            "settled_at",
            "timestamp with time zone",
        ),
        (
            "fund_applications",
            "created_at",
            "timestamp with time zone",
        ),
        (
            "fund_applications",
            "updated_at",
            "timestamp with time zone",
        ),
        ("fund_applications", "version", "integer"),
        ("fund_application_cost_lines", "application_id", "uuid"),
        ("fund_application_cost_lines", "position", "smallint"),
        ("fund_application_cost_lines", "label", "text"),
        ("fund_application_cost_lines", "amount_cents", "bigint"),
        ("fund_application_partners", "application_id", "uuid"),
        ("fund_application_partners", "partner_id", "uuid"),
        ("funds", "closed_at", "timestamp with time zone"),
        ("fund_application_drafts", "id", "uuid"),
        ("fund_application_drafts", "user_id", "uuid"),
        ("fund_application_drafts", "fund_id", "uuid"),
        ("fund_application_drafts", "name", "text"),
        ("fund_application_drafts", "draft", "jsonb"),
        ("fund_application_drafts", "token_hash", "bytea"),
        (
            "fund_application_drafts",
            "created_at",
            "timestamp with time zone",
        ),
        (
            "fund_application_drafts",
            "expires_at",
            "timestamp with time zone",
        ),
        ("translations", "fund_id", "uuid"),
        ("translations", "fund_application_id", "uuid"),
        ("qualification_types", "version", "integer"),
        (
            "qualification_types",
            "updated_at",
            "timestamp with time zone",
        ),
        ("help_requests", "id", "uuid"),
        ("help_requests", "centre_id", "uuid"),
        ("help_requests", "operator_id", "uuid"),
        ("help_requests", "district_id", "uuid"),
        ("help_requests", "grid_cell", "text"),
        ("help_requests", "kind", "text"),
        ("help_requests", "category", "text"),
        ("help_requests", "summary", "text"),
        ("help_requests", "details", "text"),
        (
            "help_requests",
            "window_starts_at",
            "timestamp with time zone",
        ),
        (
            "help_requests",
            "window_ends_at",
            "timestamp with time zone",
        ),
        ("help_requests", "urgency", "text"),
        ("help_requests", "mode", "text"),
        ("help_requests", "qualification_type_id", "uuid"),
        ("help_requests", "helpers_needed", "smallint"),
        ("help_requests", "helpers_holding", "smallint"),
        ("help_requests", "person_id", "uuid"),
        ("help_requests", "recorded_by", "uuid"),
        ("help_requests", "recorded", "boolean"),
        ("help_requests", "consent_on", "date"),
        ("help_requests", "contact_name", "text"),
        ("help_requests", "contact_phone", "text"),
        ("help_requests", "status", "text"),
        ("help_requests", "expires_at", "timestamp with time zone"),
        ("help_requests", "ended_at", "timestamp with time zone"),
        ("help_requests", "created_at", "timestamp with time zone"),
        ("help_requests", "updated_at", "timestamp with time zone"),
        ("help_requests", "version", "integer"),
        ("help_matches", "id", "uuid"),
        ("help_matches", "request_id", "uuid"),
        ("help_matches", "helper_id", "uuid"),
        ("help_matches", "status", "text"),
        ("help_matches", "proposed_by", "uuid"),
        ("help_matches", "created_at", "timestamp with time zone"),
        ("help_matches", "updated_at", "timestamp with time zone"),
        ("help_matches", "matched_at", "timestamp with time zone"),
        ("help_matches", "ended_at", "timestamp with time zone"),
        ("help_matches", "version", "integer"),
        ("volunteer_profiles", "max_help_per_month", "integer"),
        ("help_messages", "id", "uuid"),
        ("help_messages", "match_id", "uuid"),
        ("help_messages", "sender_role", "text"),
        ("help_messages", "sent_by", "uuid"),
        ("help_messages", "body", "text"),
        ("help_messages", "created_at", "timestamp with time zone"),
        ("help_request_drafts", "id", "uuid"),
        ("help_request_drafts", "user_id", "uuid"),
        ("help_request_drafts", "centre_id", "uuid"),
        ("help_request_drafts", "name", "text"),
        ("help_request_drafts", "draft", "jsonb"),
        ("help_request_drafts", "token_hash", "bytea"),
        (
            "help_request_drafts",
            "created_at",
            "timestamp with time zone",
        ),
        (
            "help_request_drafts",
            "expires_at",
            "timestamp with time zone",
        ),
    ];
    for (table, column, data_type) in expected {
        assert!(
            has(table, column, data_type),
            "{table}.{column} {data_type} missing"
        );
    }
    assert_eq!(
        found.len(),
        expected.len(),
        "a column exists that schema.rs does not know: {found:?}"
    );
}

/// Every foreign key to `users` except a centre's contact person is one by which a row names
/// its owner or author; the API maps a refusal by one of them to "account gone".
#[tokio::test]
async fn the_list_of_user_references_matches_the_database() {
    let db = TestDb::migrated().await;
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        conname: String,
    }
    let mut conn = database::connect(db.url()).await.expect("connect");
    let found: Vec<Name> = diesel::sql_query(
        "SELECT conname::text FROM pg_constraint WHERE confrelid = 'users'::regclass \
         AND conname <> 'centres_contact_user_id_fkey' ORDER BY conname",
    )
    .load(&mut conn)
    .await
    .expect("constraints");
    let mut found: Vec<String> = found.into_iter().map(|n| n.conname).collect();
    found.sort();
    let mut listed: Vec<String> = quartier_persistence::users::ACTOR_REFERENCES
        .iter()
        .chain(quartier_persistence::users::SUBJECT_REFERENCES)
        .map(|s| (*s).to_owned())
        .collect();
    listed.sort();
    assert_eq!(found, listed);
}

#[tokio::test]
async fn a_missing_database_is_created() {
    let server = quartier_tests::db::server_url();
    let url = server.with_name(&format!(
        "quartier_test_{}_create",
        chrono::Utc::now().timestamp()
    ));
    database::drop_database(&url).await.expect("clean");

    assert!(
        database::create_database_if_missing(&url)
            .await
            .expect("create")
    );
    assert!(
        !database::create_database_if_missing(&url)
            .await
            .expect("exists")
    );
    assert!(database::database_exists(&url).await.expect("check"));
    database::drop_database(&url).await.expect("drop");
}

/// Accounts whose addresses differ only in Unicode composition are never merged: the
/// migration that makes them one account stops and names them.
#[tokio::test]
async fn twin_addresses_stop_the_normal_form_migration_and_are_named() {
    let db = TestDb::migrated().await;
    // Back to before the normal-form migration (and whatever came after it).
    loop {
        let reverted = database::revert_last_migration(db.url())
            .await
            .expect("down one");
        if reverted.contains("000015") {
            break;
        }
    }
    let mut conn = database::connect(db.url()).await.expect("connect");
    for (id, email) in [
        (
            "00000000-0000-7000-8000-0000000000a1",
            "zo\u{00EB}@example.org",
        ),
        (
            "00000000-0000-7000-8000-0000000000a2",
            "zoe\u{0308}@example.org",
        ),
        ("00000000-0000-7000-8000-0000000000a3", "anna@example.org"),
    ] {
        diesel::sql_query(format!(
            "INSERT INTO users (id, email, display_name, password_hash, role, privacy_consent_at) \
             VALUES ('{id}', '{email}', 'Zoë', 'x', 'member', now())"
        ))
        .execute(&mut conn)
        .await
        .expect("an account");
    }

    let refused = database::run_migrations(db.url())
        .await
        .expect_err("the twins stop it");

    let message = refused.to_string();
    assert!(
        message.contains("00000000-0000-7000-8000-0000000000a1"),
        "{message}"
    );
    assert!(
        message.contains("00000000-0000-7000-8000-0000000000a2"),
        "{message}"
    );
    assert!(!message.contains("0000000000a3"), "{message}");
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let left: Count = diesel::sql_query("SELECT count(*) AS n FROM users")
        .get_result(&mut conn)
        .await
        .expect("count");
    assert_eq!(left.n, 3, "nothing merged");

    // Once one address is changed by hand, it runs.
    diesel::sql_query(
        "UPDATE users SET email = 'zoe.two@example.org' WHERE id = '00000000-0000-7000-8000-0000000000a2'",
    )
    .execute(&mut conn)
    .await
    .expect("resolve");
    let applied = database::run_migrations(db.url()).await.expect("up");
    assert!(
        applied.iter().any(|version| version.contains("000015")),
        "{applied:?}"
    );
}
