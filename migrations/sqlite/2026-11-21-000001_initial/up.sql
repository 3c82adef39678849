-- Initial schema: reference data, applications and their members, passcodes, attempt records,
-- the message outbox and the audit log. Ids are text UUIDs and times UTC timestamps, so the
-- SQLite and PostgreSQL schemas hold the same values (see docs/decisions.md).

CREATE TABLE practices (
    id TEXT PRIMARY KEY,
    ods_code TEXT NOT NULL CONSTRAINT practices_ods_code_key UNIQUE,
    name TEXT NOT NULL,
    address_line_1 TEXT NOT NULL,
    address_line_2 TEXT,
    town TEXT NOT NULL,
    county TEXT,
    postcode TEXT NOT NULL,
    cqc_location_id TEXT NOT NULL CONSTRAINT practices_cqc_location_id_key UNIQUE,
    cqc_contact_id_hash TEXT,
    registered_manager_email TEXT,
    ig_assessment TEXT NOT NULL CHECK (ig_assessment IN ('igt', 'dspt', 'none')),
    ig_value TEXT,
    ig_assessed_on DATE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX practices_postcode_idx ON practices (postcode);

CREATE TABLE cqc_locations (
    location_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    address_line_1 TEXT NOT NULL,
    address_line_2 TEXT,
    town TEXT NOT NULL,
    county TEXT,
    postcode TEXT NOT NULL,
    registration_status TEXT NOT NULL,
    service_types TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX cqc_locations_postcode_idx ON cqc_locations (postcode);

CREATE TABLE applications (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL CONSTRAINT applications_token_hash_key UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected', 'expired', 'withdrawn')),
    has_nhsmail_account BOOLEAN NOT NULL,
    ig_return_submitted BOOLEAN NOT NULL,
    recent_passcode_received BOOLEAN NOT NULL,
    knows_cqc_contact_id BOOLEAN NOT NULL,
    passcode_channel TEXT NOT NULL CHECK (passcode_channel IN ('email', 'post')),
    route TEXT CHECK (route IN ('a', 'b')),
    postcode TEXT,
    practice_id TEXT REFERENCES practices (id),
    cqc_location_id TEXT,
    practice_name TEXT,
    ods_code TEXT,
    cqc_details_confirmed_at TIMESTAMP,
    authenticated_at TIMESTAMP,
    authentication_method TEXT CHECK (authentication_method IN ('cqc_contact_id', 'passcode')),
    -- R-P5: set when the applicant proves they act for the practice, cleared when the
    -- application ends without registering it; unique, so one live application per practice.
    claimed_location_id TEXT CONSTRAINT applications_claimed_location_id_key UNIQUE,
    town TEXT,
    data_confirmed_at TIMESTAMP,
    submitted_at TIMESTAMP,
    submission_idempotency_key TEXT,
    decided_at TIMESTAMP,
    decision_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    last_activity_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX applications_status_idx ON applications (status, expires_at);
CREATE INDEX applications_location_idx ON applications (cqc_location_id);

CREATE TABLE members (
    id TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    title TEXT,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    mobile TEXT NOT NULL,
    role TEXT NOT NULL,
    permission TEXT NOT NULL CHECK (permission IN ('owner', 'admin', 'access', 'none')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CONSTRAINT members_application_email_key UNIQUE (application_id, email),
    CONSTRAINT members_application_mobile_key UNIQUE (application_id, mobile)
);

-- R-R7: a mobile number is used once across the service. A submitted application reserves each
-- member's mobile here; an account takes the reservation over when it is created.
CREATE TABLE mobile_reservations (
    mobile TEXT CONSTRAINT mobile_reservations_pkey PRIMARY KEY,
    application_id TEXT REFERENCES applications (id) ON DELETE CASCADE,
    account_id TEXT,
    reserved_at TIMESTAMP NOT NULL
);
CREATE INDEX mobile_reservations_application_idx ON mobile_reservations (application_id);

CREATE TABLE passcodes (
    id TEXT PRIMARY KEY,
    cqc_location_id TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'post')),
    issued_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    used_by_application_id TEXT,
    requested_by_application_id TEXT,
    batch_id TEXT
);
CREATE INDEX passcodes_location_idx ON passcodes (cqc_location_id, issued_at);

-- Times of rate-limited events (verification failures and successes, passcode issues, sign-in
-- failures), per scope and subject. Held in the database so that every replica sees them.
CREATE TABLE attempts (
    id TEXT PRIMARY KEY,
    scope TEXT NOT NULL,
    subject TEXT NOT NULL,
    outcome TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX attempts_subject_idx ON attempts (scope, subject, occurred_at);

-- One row per rate-limited subject: updating it serialises concurrent checks of one subject.
CREATE TABLE attempt_subjects (
    scope TEXT NOT NULL,
    subject TEXT NOT NULL,
    touched_at TIMESTAMP NOT NULL,
    CONSTRAINT attempt_subjects_pkey PRIMARY KEY (scope, subject)
);

CREATE TABLE outbox_messages (
    id TEXT PRIMARY KEY,
    created_at TIMESTAMP NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'letter')),
    template TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject_type TEXT,
    subject_id TEXT,
    payload TEXT NOT NULL,
    contains_secret BOOLEAN NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'delivered', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_by TEXT,
    claimed_until TIMESTAMP,
    last_error TEXT,
    provider TEXT,
    provider_reference TEXT,
    sent_at TIMESTAMP,
    status_updated_at TIMESTAMP NOT NULL
);
CREATE INDEX outbox_messages_due_idx ON outbox_messages (status, next_attempt_at);
CREATE INDEX outbox_messages_subject_idx ON outbox_messages (subject_type, subject_id);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor_type TEXT NOT NULL,
    actor_id TEXT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT,
    request_id TEXT,
    client_address TEXT,
    details TEXT NOT NULL
);
CREATE INDEX audit_events_object_idx ON audit_events (object_type, object_id, occurred_at);
CREATE INDEX audit_events_time_idx ON audit_events (occurred_at);
