-- Account life (R-L4): when an account was last used (sign-in or reactivation), when it
-- became inactive, and which warnings its holder has been sent for the current idle period.
-- Deleted accounts leave no row; their usernames are kept only as keyed hashes, so that no
-- username is ever issued twice (R-A2) while nothing of the person remains.
ALTER TABLE accounts ADD COLUMN last_used_at TIMESTAMP;
ALTER TABLE accounts ADD COLUMN inactive_since TIMESTAMP;
ALTER TABLE accounts ADD COLUMN inactivity_warned_at TIMESTAMP;
ALTER TABLE accounts ADD COLUMN deletion_warned_at TIMESTAMP;
UPDATE accounts SET last_used_at = COALESCE(last_signed_in_at, created_at);
UPDATE accounts SET inactive_since = updated_at WHERE status = 'inactive';
CREATE INDEX accounts_last_used_idx ON accounts (status, last_used_at);

CREATE TABLE retired_usernames (
    username_hash TEXT PRIMARY KEY,
    retired_at TIMESTAMP NOT NULL
);
