-- The database holds what the domain does, and no more (the CHECK constraints list exactly the
-- domain's codes, on both backends), and the lists the service pages through are indexed.

-- An account is pending activation, active, inactive or disabled; there is no other status.
ALTER TABLE accounts DROP CONSTRAINT accounts_status_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_status_check
    CHECK (status IN ('pending_activation', 'active', 'inactive', 'disabled'));

-- R-T2: a town is 1 to 10 lower-case letters.
ALTER TABLE applications ADD CONSTRAINT applications_town_check CHECK (town ~ '^[a-z]{1,10}$');

-- The review list pages by (created_at, id), newest first; provisioning, the review view and the
-- directory find a mailbox and accounts by their application.
CREATE INDEX applications_created_idx ON applications (created_at, id);
CREATE INDEX shared_mailboxes_application_idx ON shared_mailboxes (application_id);
CREATE INDEX accounts_application_idx ON accounts (application_id);
