DROP INDEX accounts_application_idx;
DROP INDEX shared_mailboxes_application_idx;
DROP INDEX applications_created_idx;
ALTER TABLE applications DROP CONSTRAINT applications_town_check;
ALTER TABLE accounts DROP CONSTRAINT accounts_status_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_status_check
    CHECK (status IN ('pending_activation', 'active', 'inactive', 'disabled', 'deleted'));
