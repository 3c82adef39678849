DROP INDEX applications_mailbox_address_key;
ALTER TABLE applications DROP COLUMN mailbox_address;
