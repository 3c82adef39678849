-- The database holds what the domain does, and no more (the CHECK constraints list exactly the
-- domain's codes, on both backends), and the lists the service pages through are indexed.
--
-- SQLite cannot change a table's constraints in place: the two tables are rebuilt by SQLite's own
-- procedure (a new table, the rows copied, the old one dropped, the new one renamed), with foreign
-- keys off so that dropping the old table cascades to nothing, and checked before the commit.
-- Hence `run_in_transaction = false` (metadata.toml): the transaction is this file's own.

PRAGMA foreign_keys = OFF;
BEGIN;

-- R-T2: a town is 1 to 10 lower-case letters.
CREATE TABLE applications_new (
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
    town TEXT CHECK (length(town) BETWEEN 1 AND 10 AND town NOT GLOB '*[^a-z]*'),
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
INSERT INTO applications_new SELECT * FROM applications;
DROP TABLE applications;
ALTER TABLE applications_new RENAME TO applications;
CREATE INDEX applications_status_idx ON applications (status, expires_at);
CREATE INDEX applications_location_idx ON applications (cqc_location_id);

-- An account is pending activation, active, inactive or disabled; there is no other status.
CREATE TABLE accounts_new (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL CONSTRAINT accounts_username_key UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending_activation', 'active', 'inactive', 'disabled')),
    title TEXT,
    first_name TEXT,
    last_name TEXT,
    email TEXT,
    mobile TEXT,
    role TEXT,
    password_hash TEXT,
    password_is_temporary BOOLEAN NOT NULL,
    password_expires_at TIMESTAMP,
    password_changed_at TIMESTAMP,
    mobile_visible BOOLEAN NOT NULL,
    aup_accepted_at TIMESTAMP,
    last_signed_in_at TIMESTAMP,
    application_id TEXT REFERENCES applications (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    security_questions_set_at TIMESTAMP,
    mobile_visibility_chosen_at TIMESTAMP,
    disabled_reason TEXT
);
INSERT INTO accounts_new SELECT * FROM accounts;
DROP TABLE accounts;
ALTER TABLE accounts_new RENAME TO accounts;

-- The review list pages by (created_at, id), newest first; provisioning, the review view and the
-- directory find a mailbox and accounts by their application.
CREATE INDEX applications_created_idx ON applications (created_at, id);
CREATE INDEX shared_mailboxes_application_idx ON shared_mailboxes (application_id);
CREATE INDEX accounts_application_idx ON accounts (application_id);

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
