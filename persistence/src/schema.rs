//! The backend-neutral schema, kept in step by hand with `migrations/{sqlite,postgres}`.
//! Only SQL types that diesel's `MultiConnection` supports on both backends are used.

diesel::table! {
    practices (id) {
        id -> Text,
        ods_code -> Text,
        name -> Text,
        address_line_1 -> Text,
        address_line_2 -> Nullable<Text>,
        town -> Text,
        county -> Nullable<Text>,
        postcode -> Text,
        cqc_location_id -> Text,
        cqc_contact_id_hash -> Nullable<Text>,
        registered_manager_email -> Nullable<Text>,
        ig_assessment -> Text,
        ig_value -> Nullable<Text>,
        ig_assessed_on -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    cqc_locations (location_id, generation) {
        location_id -> Text,
        generation -> Integer,
        name -> Text,
        address_line_1 -> Text,
        address_line_2 -> Nullable<Text>,
        town -> Text,
        county -> Nullable<Text>,
        postcode -> Text,
        registration_status -> Text,
        service_types -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reference_imports (dataset) {
        dataset -> Text,
        live_generation -> Integer,
        import_token -> Nullable<Text>,
        import_heartbeat -> Nullable<Timestamp>,
    }
}

diesel::table! {
    applications (id) {
        id -> Text,
        token_hash -> Text,
        status -> Text,
        has_nhsmail_account -> Bool,
        ig_return_submitted -> Bool,
        recent_passcode_received -> Bool,
        knows_cqc_contact_id -> Bool,
        passcode_channel -> Text,
        route -> Nullable<Text>,
        postcode -> Nullable<Text>,
        practice_id -> Nullable<Text>,
        cqc_location_id -> Nullable<Text>,
        practice_name -> Nullable<Text>,
        ods_code -> Nullable<Text>,
        cqc_details_confirmed_at -> Nullable<Timestamp>,
        authenticated_at -> Nullable<Timestamp>,
        authentication_method -> Nullable<Text>,
        claimed_location_id -> Nullable<Text>,
        town -> Nullable<Text>,
        data_confirmed_at -> Nullable<Timestamp>,
        submitted_at -> Nullable<Timestamp>,
        submission_idempotency_key -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_activity_at -> Timestamp,
        expires_at -> Timestamp,
        mailbox_address -> Nullable<Text>,
    }
}

diesel::table! {
    members (id) {
        id -> Text,
        application_id -> Text,
        position -> Integer,
        title -> Nullable<Text>,
        first_name -> Text,
        last_name -> Text,
        email -> Text,
        mobile -> Text,
        role -> Text,
        permission -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    mobile_reservations (mobile) {
        mobile -> Text,
        application_id -> Nullable<Text>,
        account_id -> Nullable<Text>,
        reserved_at -> Timestamp,
    }
}

diesel::table! {
    passcodes (id) {
        id -> Text,
        cqc_location_id -> Text,
        code_hash -> Text,
        channel -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        used_by_application_id -> Nullable<Text>,
        requested_by_application_id -> Nullable<Text>,
        batch_id -> Nullable<Text>,
    }
}

diesel::table! {
    attempts (id) {
        id -> Text,
        scope -> Text,
        subject -> Text,
        outcome -> Text,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    attempt_subjects (scope, subject) {
        scope -> Text,
        subject -> Text,
        touched_at -> Timestamp,
    }
}

diesel::table! {
    outbox_messages (id) {
        id -> Text,
        created_at -> Timestamp,
        channel -> Text,
        template -> Text,
        recipient -> Text,
        subject_type -> Nullable<Text>,
        subject_id -> Nullable<Text>,
        payload -> Text,
        contains_secret -> Bool,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        provider -> Nullable<Text>,
        provider_reference -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        status_updated_at -> Timestamp,
        delivery_status -> Nullable<Text>,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor_type -> Text,
        actor_id -> Nullable<Text>,
        action -> Text,
        object_type -> Text,
        object_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        client_address -> Nullable<Text>,
        details -> Text,
    }
}

diesel::joinable!(applications -> practices (practice_id));
diesel::joinable!(members -> applications (application_id));

diesel::allow_tables_to_appear_in_same_query!(
    practices,
    cqc_locations,
    reference_imports,
    applications,
    members,
    mobile_reservations,
    passcodes,
    attempts,
    attempt_subjects,
    outbox_messages,
    audit_events,
);

diesel::table! {
    admins (id) {
        id -> Text,
        username -> Text,
        display_name -> Text,
        password_hash -> Text,
        created_at -> Timestamp,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        subject_type -> Text,
        subject_id -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        scope -> Text,
        refresh_hash -> Nullable<Text>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(admins, sessions);

diesel::table! {
    shared_mailboxes (id) {
        id -> Text,
        address -> Text,
        practice_name -> Text,
        ods_code -> Text,
        cqc_location_id -> Text,
        application_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    accounts (id) {
        id -> Text,
        username -> Text,
        status -> Text,
        title -> Nullable<Text>,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        email -> Nullable<Text>,
        mobile -> Nullable<Text>,
        role -> Nullable<Text>,
        password_hash -> Nullable<Text>,
        password_is_temporary -> Bool,
        password_expires_at -> Nullable<Timestamp>,
        password_changed_at -> Nullable<Timestamp>,
        mobile_visible -> Bool,
        aup_accepted_at -> Nullable<Timestamp>,
        last_signed_in_at -> Nullable<Timestamp>,
        application_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        security_questions_set_at -> Nullable<Timestamp>,
        mobile_visibility_chosen_at -> Nullable<Timestamp>,
        disabled_reason -> Nullable<Text>,
        last_used_at -> Nullable<Timestamp>,
        inactive_since -> Nullable<Timestamp>,
        inactivity_warned_at -> Nullable<Timestamp>,
        deletion_warned_at -> Nullable<Timestamp>,
        leaver_since -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mailbox_memberships (mailbox_id, account_id) {
        mailbox_id -> Text,
        account_id -> Text,
        is_owner -> Bool,
        is_admin -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mailshots (id) {
        id -> Text,
        requested_by -> Text,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    mailshot_items (mailshot_id, position) {
        mailshot_id -> Text,
        position -> Integer,
        requested -> Text,
        cqc_location_id -> Nullable<Text>,
        outcome -> Text,
        detail -> Nullable<Text>,
    }
}

diesel::joinable!(mailshot_items -> mailshots (mailshot_id));
diesel::allow_tables_to_appear_in_same_query!(mailshot_items, mailshots);

diesel::table! {
    joiner_requests (id) {
        id -> Text,
        mailbox_id -> Text,
        requested_by -> Text,
        title -> Nullable<Text>,
        first_name -> Text,
        last_name -> Text,
        email -> Text,
        mobile -> Text,
        role -> Text,
        is_admin -> Bool,
        created_at -> Timestamp,
    }
}

diesel::joinable!(joiner_requests -> shared_mailboxes (mailbox_id));
diesel::joinable!(mailbox_memberships -> shared_mailboxes (mailbox_id));
diesel::joinable!(mailbox_memberships -> accounts (account_id));
diesel::allow_tables_to_appear_in_same_query!(shared_mailboxes, accounts, mailbox_memberships, applications);
diesel::allow_tables_to_appear_in_same_query!(joiner_requests, shared_mailboxes);

diesel::table! {
    security_answers (account_id, question) {
        account_id -> Text,
        question -> Text,
        answer_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    password_history (id) {
        id -> Text,
        account_id -> Text,
        password_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    password_resets (id) {
        id -> Text,
        account_id -> Text,
        code_hash -> Text,
        question -> Text,
        failed_attempts -> Integer,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    job_leases (job) {
        job -> Text,
        holder -> Text,
        lease_until -> Timestamp,
    }
}

diesel::table! {
    job_runs (id) {
        id -> Text,
        job -> Text,
        runner -> Text,
        started_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
        outcome -> Text,
        processed -> BigInt,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    retired_usernames (username_hash) {
        username_hash -> Text,
        retired_at -> Timestamp,
    }
}
