-- What approval creates (R-A1): the shared mailbox, one account per member and who may use the
-- mailbox. Rows are never deleted: a deleted account keeps its row (personal data erased) so its
-- username is never issued again (R-A2); mailboxes are never deleted (R-L4, R-M2).

CREATE TABLE shared_mailboxes (
    id TEXT PRIMARY KEY,
    address TEXT NOT NULL CONSTRAINT shared_mailboxes_address_key UNIQUE,
    practice_name TEXT NOT NULL,
    ods_code TEXT NOT NULL,
    cqc_location_id TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL CONSTRAINT accounts_username_key UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('pending_activation', 'active', 'inactive', 'disabled', 'deleted')),
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
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE mailbox_memberships (
    mailbox_id TEXT NOT NULL REFERENCES shared_mailboxes (id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    is_owner BOOLEAN NOT NULL,
    is_admin BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CONSTRAINT mailbox_memberships_pkey PRIMARY KEY (mailbox_id, account_id)
);
CREATE INDEX mailbox_memberships_account_idx ON mailbox_memberships (account_id);

-- Delivery as the provider reports it after accepting a message (e.g. GOV.UK Notify callbacks).
ALTER TABLE outbox_messages ADD COLUMN delivery_status TEXT;
ALTER TABLE outbox_messages ADD COLUMN delivered_at TIMESTAMP;
CREATE INDEX outbox_messages_reference_idx ON outbox_messages (provider_reference);
