-- Joiners (R-L6): an owner's request for an account for a new member of staff, waiting for the
-- helpdesk. A request lives only while it waits: approval turns it into an account and
-- rejection deletes it, so no one's details outlive the decision here.
CREATE TABLE joiner_requests (
    id TEXT PRIMARY KEY,
    mailbox_id TEXT NOT NULL REFERENCES shared_mailboxes (id),
    requested_by TEXT NOT NULL,
    title TEXT,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    email TEXT NOT NULL,
    mobile TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    is_admin BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX joiner_requests_created_idx ON joiner_requests (created_at);
