DROP TABLE retired_usernames;
DROP INDEX accounts_last_used_idx;
ALTER TABLE accounts DROP COLUMN deletion_warned_at;
ALTER TABLE accounts DROP COLUMN inactivity_warned_at;
ALTER TABLE accounts DROP COLUMN inactive_since;
ALTER TABLE accounts DROP COLUMN last_used_at;
