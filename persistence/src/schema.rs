//! Diesel's view of the tables. Written by hand to match `migrations/`; the migration test
//! in `tests/` checks that every column named here exists with this type.

diesel::table! {
    users (id) {
        id -> Uuid,
        email -> Nullable<Text>,
        display_name -> Text,
        password_hash -> Nullable<Text>,
        role -> Text,
        privacy_consent_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        privacy_policy_version -> Nullable<Text>,
        email_verified_at -> Nullable<Timestamptz>,
        token_generation -> Int4,
        language -> Text,
        kind -> Text,
        report_ref -> Uuid,
    }
}

diesel::table! {
    account_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        purpose -> Text,
        email -> Nullable<Text>,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(account_tokens -> users (user_id));

diesel::table! {
    notification_preferences (user_id, kind) {
        user_id -> Uuid,
        kind -> Text,
        delivery -> Text,
        lead_hours -> Nullable<Int4>,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    staff_invitations (id) {
        id -> Uuid,
        operator_id -> Uuid,
        email -> Text,
        role -> Text,
        centre_ids -> Array<Uuid>,
        invited_by -> Nullable<Uuid>,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        accepted_at -> Nullable<Timestamptz>,
        accepted_by -> Nullable<Uuid>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    shift_messages (id) {
        id -> Uuid,
        shift_id -> Uuid,
        sent_by -> Nullable<Uuid>,
        subject -> Text,
        body -> Text,
        recipients -> Int4,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Uuid,
        user_id -> Uuid,
        family_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::joinable!(refresh_tokens -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    account_tokens,
    notification_preferences,
    shift_messages,
    staff_invitations,
    refresh_tokens,
    districts,
    operators,
    operator_members,
    centres,
    centre_opening_hours,
    centre_closures,
    operator_member_centres,
    activities,
    occurrences,
    shifts,
    qualification_types,
    volunteer_qualifications,
    qualification_verifications,
    operator_trusts,
    accepted_verifications,
    operator_volunteers,
    notifications,
    shift_qualifications,
    signups,
    outbox_events,
    idempotency_keys,
    volunteer_profiles,
    calendar_feeds,
    api_keys,
    webhook_subscriptions,
    webhook_deliveries,
    webhook_attempts,
    audit_events,
    rate_limits,
    guest_holds,
    standing_signups,
    standing_dates,
    blockouts,
    funds,
    fund_applications,
    help_requests,
    help_matches,
    help_messages,
    fund_application_cost_lines,
    fund_application_partners,
);

diesel::table! {
    districts (id) {
        id -> Uuid,
        name -> Text,
        slug -> Text,
        town -> Text,
        parent_id -> Nullable<Uuid>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    operators (id) {
        id -> Uuid,
        name -> Text,
        kind -> Text,
        description -> Text,
        website -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    operator_members (operator_id, user_id) {
        operator_id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(operator_members -> operators (operator_id));
diesel::joinable!(operator_members -> users (user_id));

diesel::table! {
    centres (id) {
        id -> Uuid,
        operator_id -> Uuid,
        district_id -> Uuid,
        name -> Text,
        kind -> Text,
        description -> Text,
        street -> Text,
        postcode -> Text,
        town -> Text,
        latitude -> Float8,
        longitude -> Float8,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        languages -> Array<Text>,
        step_free -> Bool,
        accessible_toilet -> Bool,
        hearing_loop -> Bool,
        disabled_parking -> Bool,
        accessibility_notes -> Text,
        contact_user_id -> Nullable<Uuid>,
        contact_role -> Nullable<Text>,
        status -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        guest_signups -> Bool,
    }
}

diesel::joinable!(centres -> operators (operator_id));
diesel::joinable!(centres -> districts (district_id));
diesel::joinable!(centres -> users (contact_user_id));

diesel::table! {
    centre_opening_hours (centre_id, weekday, opens) {
        centre_id -> Uuid,
        weekday -> Int2,
        opens -> Time,
        closes -> Time,
    }
}

diesel::table! {
    centre_closures (centre_id, date) {
        centre_id -> Uuid,
        date -> Date,
        note -> Text,
    }
}

diesel::table! {
    operator_member_centres (operator_id, user_id, centre_id) {
        operator_id -> Uuid,
        user_id -> Uuid,
        centre_id -> Uuid,
    }
}

diesel::table! {
    activities (id) {
        id -> Uuid,
        centre_id -> Uuid,
        title -> Text,
        description -> Text,
        category -> Text,
        target_groups -> Array<Text>,
        languages -> Array<Text>,
        accessibility_notes -> Text,
        free_of_charge -> Bool,
        cost_cents -> Nullable<Int4>,
        cost_note -> Nullable<Text>,
        registration_required -> Bool,
        participant_limit -> Nullable<Int4>,
        contact_name -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        status -> Text,
        schedule_kind -> Text,
        time_zone -> Text,
        first_start_local -> Timestamp,
        first_start -> Timestamptz,
        duration_minutes -> Int4,
        rrule -> Nullable<Text>,
        excluded_dates -> Array<Date>,
        materialized_until -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        operator_id -> Uuid,
        external_id -> Nullable<Text>,
    }
}

diesel::table! {
    occurrences (id) {
        id -> Uuid,
        activity_id -> Uuid,
        original_start -> Timestamptz,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        moved -> Bool,
        detached -> Bool,
        cancelled -> Bool,
        cancellation_reason -> Nullable<Text>,
        note -> Nullable<Text>,
        participants -> Nullable<Int4>,
        sequence -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        external_id -> Nullable<Text>,
        external_operator_id -> Nullable<Uuid>,
        first_time_participants -> Nullable<Int4>,
        participants_age_0_13 -> Nullable<Int4>,
        participants_age_14_17 -> Nullable<Int4>,
        participants_age_18_26 -> Nullable<Int4>,
        participants_age_27_64 -> Nullable<Int4>,
        participants_age_65_plus -> Nullable<Int4>,
    }
}

diesel::table! {
    shifts (id) {
        id -> Uuid,
        centre_id -> Uuid,
        occurrence_id -> Nullable<Uuid>,
        title -> Text,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        capacity -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        description -> Text,
        min_age_note -> Nullable<Text>,
        status -> Text,
        confirmed_count -> Int4,
        skills -> Array<Text>,
        operator_id -> Uuid,
        external_id -> Nullable<Text>,
        guest_signups -> Nullable<Bool>,
        held_count -> Int4,
        places_changed_at -> Nullable<Timestamptz>,
        standing_max -> Nullable<Int4>,
    }
}

diesel::table! {
    qualification_types (id) {
        id -> Uuid,
        code -> Nullable<Text>,
        operator_id -> Nullable<Uuid>,
        name -> Text,
        validity_months -> Nullable<Int4>,
        created_at -> Timestamptz,
        version -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    volunteer_qualifications (id) {
        id -> Uuid,
        user_id -> Uuid,
        type_id -> Uuid,
        issued_on -> Date,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    shift_qualifications (shift_id, type_id) {
        shift_id -> Uuid,
        type_id -> Uuid,
    }
}

diesel::table! {
    signups (id) {
        id -> Uuid,
        shift_id -> Uuid,
        user_id -> Nullable<Uuid>,
        status -> Text,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        queued_at -> Timestamptz,
        signed_up_by -> Nullable<Uuid>,
        confirmed_at -> Nullable<Timestamptz>,
        cancelled_at -> Nullable<Timestamptz>,
        cancelled_by -> Nullable<Uuid>,
        late_cancellation -> Bool,
        checked_in_at -> Nullable<Timestamptz>,
        minutes_worked -> Nullable<Int4>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        anonymised_at -> Nullable<Timestamptz>,
        standing_signup_id -> Nullable<Uuid>,
        volunteer_ref -> Nullable<Uuid>,
    }
}

diesel::table! {
    outbox_events (id) {
        id -> Uuid,
        kind -> Text,
        operator_id -> Nullable<Uuid>,
        subject_id -> Uuid,
        payload -> Text,
        created_at -> Timestamptz,
        published_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    volunteer_profiles (user_id) {
        user_id -> Uuid,
        phone -> Nullable<Text>,
        languages -> Array<Text>,
        skills -> Array<Text>,
        district_ids -> Array<Uuid>,
        availability -> Text,
        contact_by -> Text,
        updated_at -> Timestamptz,
        version -> Int4,
        max_shifts_per_week -> Nullable<Int4>,
        max_shifts_per_month -> Nullable<Int4>,
        max_help_per_month -> Nullable<Int4>,
    }
}

diesel::table! {
    calendar_feeds (user_id) {
        user_id -> Uuid,
        token_hash -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    idempotency_keys (owner_id, key) {
        owner_id -> Uuid,
        key -> Text,
        request_hash -> Bytea,
        status -> Int4,
        body -> Text,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(activities -> centres (centre_id));
diesel::joinable!(occurrences -> activities (activity_id));
diesel::joinable!(shifts -> occurrences (occurrence_id));
diesel::joinable!(shifts -> centres (centre_id));
diesel::joinable!(signups -> shifts (shift_id));
diesel::joinable!(shift_qualifications -> shifts (shift_id));
diesel::joinable!(shift_qualifications -> qualification_types (type_id));
diesel::joinable!(volunteer_qualifications -> qualification_types (type_id));

diesel::table! {
    qualification_verifications (id) {
        id -> Uuid,
        user_id -> Uuid,
        type_id -> Uuid,
        operator_id -> Uuid,
        issued_on -> Date,
        inspected_on -> Date,
        inspected_by -> Nullable<Uuid>,
        expires_on -> Nullable<Date>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::joinable!(qualification_verifications -> qualification_types (type_id));
diesel::joinable!(qualification_verifications -> operators (operator_id));

diesel::table! {
    operator_trusts (operator_id, trusted_id) {
        operator_id -> Uuid,
        trusted_id -> Uuid,
        created_at -> Timestamptz,
        created_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    /// A view: each operator's own verifications and those of the operators it trusts.
    accepted_verifications (id, accepted_by) {
        id -> Uuid,
        user_id -> Uuid,
        type_id -> Uuid,
        expires_on -> Nullable<Date>,
        accepted_by -> Uuid,
    }
}

diesel::table! {
    operator_volunteers (operator_id, user_id) {
        operator_id -> Uuid,
        user_id -> Uuid,
        joined_at -> Timestamptz,
    }
}

diesel::joinable!(operator_volunteers -> operators (operator_id));

diesel::table! {
    api_keys (id) {
        id -> Uuid,
        operator_id -> Uuid,
        name -> Text,
        prefix -> Text,
        secret_hash -> Bytea,
        scopes -> Array<Text>,
        expires_at -> Nullable<Timestamptz>,
        last_used_at -> Nullable<Timestamptz>,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        revoked_at -> Nullable<Timestamptz>,
        revoked_by -> Nullable<Uuid>,
        creator_left_at -> Nullable<Timestamptz>,
        replaced_by -> Nullable<Uuid>,
    }
}

diesel::table! {
    notifications (id) {
        id -> Uuid,
        user_id -> Nullable<Uuid>,
        kind -> Text,
        operator_id -> Nullable<Uuid>,
        details -> Text,
        created_at -> Timestamptz,
        read_at -> Nullable<Timestamptz>,
        address -> Nullable<Text>,
        dedup_key -> Text,
        due_at -> Timestamptz,
        state -> Text,
        attempts -> Int4,
        leased_until -> Nullable<Timestamptz>,
        next_attempt_at -> Nullable<Timestamptz>,
        sent_at -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> Uuid,
        operator_id -> Uuid,
        url -> Text,
        description -> Text,
        events -> Array<Text>,
        secret -> Text,
        active -> Bool,
        disabled_reason -> Nullable<Text>,
        disabled_at -> Nullable<Timestamptz>,
        failing_since -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Uuid,
        subscription_id -> Uuid,
        event_id -> Uuid,
        event_type -> Text,
        body -> Text,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        last_attempt_at -> Nullable<Timestamptz>,
        last_status -> Nullable<Int4>,
        last_error -> Nullable<Text>,
        delivered_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> Uuid,
        delivery_id -> Uuid,
        attempted_at -> Timestamptz,
        status -> Nullable<Int4>,
        error -> Nullable<Text>,
        duration_ms -> Int4,
        response_excerpt -> Nullable<Text>,
    }
}

diesel::joinable!(api_keys -> operators (operator_id));
diesel::joinable!(webhook_subscriptions -> operators (operator_id));
diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));

diesel::table! {
    audit_events (id) {
        id -> Uuid,
        at -> Timestamptz,
        actor_user_id -> Nullable<Uuid>,
        actor_key_id -> Nullable<Uuid>,
        action -> Text,
        object_type -> Text,
        object_id -> Nullable<Uuid>,
        operator_id -> Nullable<Uuid>,
        subjects -> Array<Uuid>,
        details -> Text,
    }
}

diesel::table! {
    rate_limits (bucket) {
        bucket -> Text,
        window_start -> Timestamptz,
        hits -> Int4,
    }
}
diesel::joinable!(staff_invitations -> operators (operator_id));

diesel::table! {
    guest_holds (id) {
        id -> Uuid,
        shift_id -> Uuid,
        user_id -> Uuid,
        holds_place -> Bool,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
        name -> Text,
        standing_signup_id -> Nullable<Uuid>,
    }
}

diesel::joinable!(guest_holds -> shifts (shift_id));
diesel::joinable!(guest_holds -> users (user_id));

diesel::table! {
    /// What residents' concerns are about, and who answers them.
    concern_categories (id) {
        id -> Uuid,
        name -> Text,
        kind -> Text,
        operator_id -> Nullable<Uuid>,
        needs_moderation -> Bool,
        created_at -> Timestamptz,
        version -> Int4,
        updated_at -> Timestamptz,
        partner_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    /// Residents' concerns (Anliegen); read and written in SQL (`concerns.rs`).
    concerns (id) {
        id -> Uuid,
        kind -> Text,
        category_id -> Uuid,
        title -> Text,
        text -> Text,
        district_id -> Uuid,
        centre_id -> Nullable<Uuid>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        address -> Nullable<Text>,
        author_id -> Nullable<Uuid>,
        show_author -> Bool,
        channel -> Text,
        recorded_by -> Nullable<Uuid>,
        consent_on -> Nullable<Date>,
        source_occurrence_id -> Nullable<Uuid>,
        status -> Text,
        duplicate_of -> Nullable<Uuid>,
        operator_id -> Nullable<Uuid>,
        support_count -> Int4,
        published_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        partner_id -> Nullable<Uuid>,
        language -> Text,
    }
}

diesel::table! {
    /// "Me too": one per account and concern.
    concern_supports (id) {
        id -> Int8,
        concern_id -> Uuid,
        user_id -> Nullable<Uuid>,
        notify -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    /// Answers to concerns: an append-only timeline.
    concern_answers (id) {
        id -> Uuid,
        concern_id -> Uuid,
        author_id -> Nullable<Uuid>,
        operator_id -> Nullable<Uuid>,
        visibility -> Text,
        text -> Text,
        expected_on -> Nullable<Date>,
        published_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        partner_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    /// What came of a concern.
    concern_outcomes (id) {
        id -> Uuid,
        concern_id -> Uuid,
        kind -> Text,
        activity_id -> Nullable<Uuid>,
        occurrence_id -> Nullable<Uuid>,
        shift_id -> Nullable<Uuid>,
        room_booking_id -> Nullable<Uuid>,
        fund_application_id -> Nullable<Uuid>,
        outside_ref -> Nullable<Text>,
        outside_url -> Nullable<Text>,
        note -> Nullable<Text>,
        linked_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    /// The partner network.
    partners (id) {
        id -> Uuid,
        name -> Text,
        kind -> Text,
        description -> Text,
        topics -> Array<Text>,
        website -> Nullable<Text>,
        contact_email -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        address -> Nullable<Text>,
        operator_id -> Nullable<Uuid>,
        external_id -> Nullable<Text>,
        public_fields -> Array<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    /// Partner staff.
    partner_members (partner_id, user_id) {
        partner_id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    /// The districts a partner works in.
    partner_districts (partner_id, district_id) {
        partner_id -> Uuid,
        district_id -> Uuid,
    }
}

diesel::table! {
    /// Networks of the neighbourhood work.
    networks (id) {
        id -> Uuid,
        name -> Text,
        kind -> Text,
        description -> Text,
        district_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// Who belongs to a network.
    network_memberships (id) {
        id -> Uuid,
        network_id -> Uuid,
        partner_id -> Nullable<Uuid>,
        user_id -> Nullable<Uuid>,
        role -> Text,
        status -> Text,
        since -> Nullable<Date>,
        until -> Nullable<Date>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// The core team: town coordinators and district managers.
    core_team_members (user_id) {
        user_id -> Uuid,
        role -> Text,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    /// The districts a district manager looks after.
    core_team_districts (user_id, district_id) {
        user_id -> Uuid,
        district_id -> Uuid,
    }
}

diesel::table! {
    /// How often the variants changed: one row, moved by a trigger on `translations`.
    translation_generation (only_row) {
        only_row -> Bool,
        generation -> Int8,
    }
}

diesel::table! {
    /// Texts in other languages than German; its `search` column (words for full-text
    /// search) is written and read in SQL only.
    translations (id) {
        id -> Int8,
        activity_id -> Nullable<Uuid>,
        centre_id -> Nullable<Uuid>,
        shift_id -> Nullable<Uuid>,
        qualification_type_id -> Nullable<Uuid>,
        concern_id -> Nullable<Uuid>,
        concern_category_id -> Nullable<Uuid>,
        room_id -> Nullable<Uuid>,
        fund_id -> Nullable<Uuid>,
        fund_application_id -> Nullable<Uuid>,
        field -> Text,
        tag -> Text,
        text -> Text,
        origin -> Text,
        reviewed -> Bool,
        source_md5 -> Text,
        written_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    /// A volunteer's commitment to a shift slot of an activity (`quartier_domain::standing`).
    standing_signups (id) {
        id -> Uuid,
        user_id -> Uuid,
        activity_id -> Uuid,
        operator_id -> Uuid,
        slot_start -> Time,
        slot_title -> Nullable<Text>,
        pattern -> Text,
        weekday -> Int2,
        anchor_date -> Nullable<Date>,
        week_of_month -> Nullable<Int2>,
        valid_from -> Date,
        valid_until -> Nullable<Date>,
        status -> Text,
        created_by -> Nullable<Uuid>,
        claimed_until -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
        version -> Int4,
        mode -> Text,
        answer_hours -> Int4,
    }
}

diesel::table! {
    /// Dates a volunteer cannot come.
    blockouts (id) {
        id -> Uuid,
        user_id -> Uuid,
        starts_on -> Date,
        ends_on -> Date,
        weekly_until -> Nullable<Date>,
        note -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    /// What came of each commitment for each shift of its slot.
    standing_dates (standing_signup_id, shift_id) {
        standing_signup_id -> Uuid,
        shift_id -> Uuid,
        signup_id -> Nullable<Uuid>,
        outcome -> Text,
        created_at -> Timestamptz,
        answer_by -> Nullable<Timestamptz>,
        answered_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    /// Frozen reports: figures as counted, with their authors' words (never changed).
    report_snapshots (id) {
        id -> Uuid,
        title -> Text,
        catalogue_version -> Int4,
        period_first -> Date,
        period_last -> Date,
        operator_ids -> Nullable<Array<Uuid>>,
        small_cells_hidden -> Bool,
        scope -> Text,
        report -> Text,
        goals -> Text,
        what_happened -> Text,
        observed_changes -> Text,
        created_by -> Nullable<Uuid>,
        created_by_key -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(standing_dates -> standing_signups (standing_signup_id));
diesel::joinable!(standing_dates -> shifts (shift_id));
diesel::joinable!(standing_signups -> activities (activity_id));

diesel::table! {
    /// Neighbourhood funds (Verfügungsfonds): budgets for residents' own projects.
    funds (id) {
        id -> Uuid,
        operator_id -> Nullable<Uuid>,
        district_id -> Nullable<Uuid>,
        committee_network_id -> Nullable<Uuid>,
        year -> Int2,
        title -> Text,
        budget_cents -> Int8,
        per_project_max_cents -> Int8,
        staff_threshold_cents -> Int8,
        granted_cents -> Int8,
        spent_cents -> Int8,
        created_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
        closed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    /// Applications to a fund, from draft to settled.
    fund_applications (id) {
        id -> Uuid,
        fund_id -> Uuid,
        applicant_id -> Nullable<Uuid>,
        applicant_partner_id -> Nullable<Uuid>,
        district_id -> Uuid,
        concern_id -> Nullable<Uuid>,
        title -> Text,
        description -> Text,
        goals -> Nullable<Text>,
        target_groups -> Array<Text>,
        requested_cents -> Int8,
        status -> Text,
        submitted_at -> Nullable<Timestamptz>,
        granted_cents -> Nullable<Int8>,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamptz>,
        decided_by_user -> Nullable<Uuid>,
        minutes_occurrence_id -> Nullable<Uuid>,
        minutes_note -> Nullable<Text>,
        decline_reason -> Nullable<Text>,
        actual_cost_cents -> Nullable<Int8>,
        report_text -> Nullable<Text>,
        attendance -> Nullable<Int4>,
        receipts_seen -> Nullable<Bool>,
        reported_at -> Nullable<Timestamptz>,
        spent_cents -> Nullable<Int8>,
        settled_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    /// An application's cost plan, line by line.
    fund_application_cost_lines (application_id, position) {
        application_id -> Uuid,
        position -> Int2,
        label -> Text,
        amount_cents -> Int8,
    }
}

diesel::table! {
    /// Partners involved in a funded project.
    fund_application_partners (application_id, partner_id) {
        application_id -> Uuid,
        partner_id -> Uuid,
    }
}

diesel::joinable!(fund_applications -> funds (fund_id));
diesel::joinable!(fund_application_cost_lines -> fund_applications (application_id));

diesel::table! {
    /// Needs and offers of neighbourly help (`quartier_domain::help`).
    help_requests (id) {
        id -> Uuid,
        centre_id -> Uuid,
        operator_id -> Uuid,
        district_id -> Uuid,
        grid_cell -> Nullable<Text>,
        kind -> Text,
        category -> Text,
        summary -> Text,
        details -> Nullable<Text>,
        window_starts_at -> Timestamptz,
        window_ends_at -> Timestamptz,
        urgency -> Text,
        mode -> Text,
        qualification_type_id -> Nullable<Uuid>,
        helpers_needed -> Int2,
        helpers_holding -> Int2,
        person_id -> Nullable<Uuid>,
        recorded_by -> Nullable<Uuid>,
        recorded -> Bool,
        consent_on -> Nullable<Date>,
        contact_name -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        status -> Text,
        expires_at -> Timestamptz,
        ended_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    /// A helper matched to a help request.
    help_matches (id) {
        id -> Uuid,
        request_id -> Uuid,
        helper_id -> Nullable<Uuid>,
        status -> Text,
        proposed_by -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        matched_at -> Nullable<Timestamptz>,
        ended_at -> Nullable<Timestamptz>,
        version -> Int4,
    }
}

diesel::table! {
    /// A request of neighbourly help made with the guest form, waiting for her confirmation.
    help_request_drafts (id) {
        id -> Uuid,
        user_id -> Uuid,
        centre_id -> Uuid,
        name -> Text,
        draft -> Jsonb,
        token_hash -> Bytea,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    /// What the two sides of a match of neighbourly help wrote to each other.
    help_messages (id) {
        id -> Uuid,
        match_id -> Uuid,
        sender_role -> Text,
        sent_by -> Nullable<Uuid>,
        body -> Text,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(help_matches -> help_requests (request_id));
diesel::joinable!(help_messages -> help_matches (match_id));
