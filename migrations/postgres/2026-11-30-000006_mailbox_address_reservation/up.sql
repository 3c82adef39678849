-- R-M1, R-M2: the shared mailbox address an application will get is reserved when it is
-- submitted, under a unique constraint, so two practices whose names normalise to one address
-- are told while they can still choose another town spelling, and approval never fails on it.
-- A rejection releases the address; an approved application keeps it for good (addresses are
-- never reused).
ALTER TABLE applications ADD COLUMN mailbox_address TEXT;
CREATE UNIQUE INDEX applications_mailbox_address_key ON applications (mailbox_address);
UPDATE applications SET mailbox_address =
    (SELECT address FROM shared_mailboxes WHERE shared_mailboxes.application_id = applications.id);
