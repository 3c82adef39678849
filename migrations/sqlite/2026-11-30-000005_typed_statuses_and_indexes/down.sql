-- The tightened constraints stay (older code never writes a value they refuse); the indexes go.
DROP INDEX accounts_application_idx;
DROP INDEX shared_mailboxes_application_idx;
DROP INDEX applications_created_idx;
